using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Tests;

public sealed class PlanJsonTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Plan_json_has_the_documented_shape_and_fixed_formatting()
    {
        var result = Discover.Sources(_project, ("Program.cs", """
            namespace Sample;
            [Optimizer.Runtime.OnnxModel("Models/digits.onnx")]
            [Optimizer.Runtime.Quantize(Optimizer.Runtime.QuantizationMode.DynamicInt8)]
            public partial class DigitClassifier;
            """));
        var plan = Assert.Single(result.Plans);
        string Escaped(string path) => path.Replace("\\", "\\\\");

        var expected = $$"""
            {
              "formatVersion": 1,
              "name": "Sample.DigitClassifier",
              "className": "Sample.DigitClassifier",
              "model": "{{Escaped(Path.Combine(_project.Directory, "Models", "digits.onnx"))}}",
              "modelPath": "Models/digits.onnx",
              "declaredAt": {
                "file": "{{Escaped(_project.Source("Program.cs"))}}",
                "line": 2,
                "column": 2
              },
              "outputDirectory": "{{Escaped(_project.OutputDirectory)}}",
              "projectDirectory": "{{Escaped(_project.Directory)}}",
              "resourceName": "Optimizer.Build.Sample.DigitClassifier.onnx",
              "passes": [
                {
                  "pass": "Quantize",
                  "options": {
                    "Mode": "DynamicInt8"
                  },
                  "declaredAt": {
                    "file": "{{Escaped(_project.Source("Program.cs"))}}",
                    "line": 3,
                    "column": 2
                  }
                }
              ]
            }

            """;
        Assert.Equal(expected.Replace("\r\n", "\n"), PlanJson.Serialize(plan));
    }

    [Fact]
    public void Plan_file_is_rewritten_only_when_its_text_changes()
    {
        var plan = Assert.Single(Discover.Sources(_project, ("Program.cs", "[Optimizer.Runtime.OnnxModel(\"Models/digits.onnx\")] partial class Digits;")).Plans);
        PlanFile.Write(plan);
        var old = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(plan.PlanPath, old);

        PlanFile.Write(plan);

        Assert.Equal(old, File.GetLastWriteTimeUtc(plan.PlanPath));
        Assert.Empty(Directory.GetFiles(plan.OutputDirectory, "*.tmp"));
    }
}

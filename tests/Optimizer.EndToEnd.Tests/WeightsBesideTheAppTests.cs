using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// Weights beside the app: digits_mlp saved with ONNX external data (by the onnx package itself,
/// <c>save_as_external_data</c>) is declared by an &lt;OnnxModel&gt; item in two fresh apps, one with the
/// default storage (small, so embedded) and one with <c>OptimizerWeightsStorage=Files</c>. Both are
/// built with `dotnet build` against the packed package and run through the same generated class on
/// ONNX Runtime and on the compiled kernels: the same bits; the Files app's assembly embeds nothing
/// and its model and kernel program lie in bin/…/models (and in the publish folder), copied once.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class WeightsBesideTheAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Item = """
        <ItemGroup>
          <OnnxModel Include="Models/digits.onnx" ClassName="Sample.Digits" />
        </ItemGroup>
        """;

    private const string FilesProperty = """
        <PropertyGroup>
          <OptimizerWeightsStorage>Files</OptimizerWeightsStorage>
        </PropertyGroup>
        """;

    // Where the model is, how many resources the assembly has, then the logits' bits per path.
    private const string Program = """
        using Optimizer.Runtime;

        var pixels = new float[4 * 64];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = MathF.Sin(i * 0.37f) * 8 + 8;
        Console.WriteLine("file " + (Sample.Digits.Metadata.ModelFile ?? "embedded"));
        Console.WriteLine("resources " + typeof(Program).Assembly.GetManifestResourceNames().Length);
        foreach (var path in new[] { ExecutionPathKind.OnnxRuntime, ExecutionPathKind.Compiled })
        {
            using var model = new Sample.Digits(new ModelOptions { Path = path });
            var logits = model.Run(new Sample.Digits.Input(new ModelTensor<float>(pixels, 4, 1, 8, 8))).Logits;
            Console.WriteLine($"{model.ExecutionPath.Kind} " + string.Join(",", logits.Span.ToArray().Select(v => BitConverter.SingleToInt32Bits(v).ToString("X8"))));
        }
        """;

    [ConditionalFact(Needs.PythonOnnx, "data/models")]
    public void A_model_stored_as_files_runs_from_beside_the_app_with_the_embedded_builds_output()
    {
        using var embedded = App("EmbeddedWeightsApp", "");
        using var files = App("FileWeightsApp", FilesProperty);

        var embeddedRun = BuildAndRun(embedded);
        var filesRun = BuildAndRun(files);

        Assert.Equal("file embedded", embeddedRun[0]);
        Assert.Equal("resources 2", embeddedRun[1]);
        Assert.Equal("file models/Sample.Digits.onnx", filesRun[0]);
        Assert.Equal("resources 0", filesRun[1]);
        Assert.StartsWith("OnnxRuntime ", filesRun[2]);
        Assert.StartsWith("Compiled ", filesRun[3]);
        Assert.Equal(embeddedRun[2..], filesRun[2..]);

        // The weights left the assembly: it shrank by about the files now beside it.
        var bin = Bin(files);
        var onnx = new FileInfo(Path.Combine(bin, "models", "Sample.Digits.onnx"));
        var kernels = new FileInfo(Path.Combine(bin, "models", "Sample.Digits.kernels"));
        long embeddedDll = new FileInfo(Path.Combine(Bin(embedded), embedded.Name + ".dll")).Length;
        long filesDll = new FileInfo(Path.Combine(bin, files.Name + ".dll")).Length;
        output.WriteLine($"app.dll: embedded {embeddedDll} bytes, files {filesDll} bytes; beside it {onnx.Length} + {kernels.Length} bytes");
        // The program reads its weights from the model beside it (one copy of the weights per app): schedule and biases only.
        Assert.True(onnx.Length > 100_000 && kernels.Length < 40 * 1024, $"the program beside the model is {kernels.Length} bytes");
        Assert.True(filesDll + onnx.Length + kernels.Length <= embeddedDll + 4096, "the Files app's assembly still carries the weights");
        Assert.False(File.Exists(Path.Combine(bin, "Sample.Digits.onnx.data")), "the optimized model is one file: nothing else is copied");

        // A rebuild with nothing changed neither optimizes nor copies again.
        var copied = onnx.LastWriteTimeUtc;
        Thread.Sleep(1100); // coarse file-system timestamps
        var second = files.Build().AssertSucceeded("second dotnet build");
        Assert.DoesNotContain(second.Output.Split('\n'), line => line.Contains("digits.onnx: ") && line.Contains(" → "));
        Assert.Equal(copied, File.GetLastWriteTimeUtc(onnx.FullName));

        // Publishing copies the files too.
        ProcessRunner.Run("dotnet", "publish --no-build -c Debug -nologo -o pub", files.Directory).AssertSucceeded("dotnet publish");
        Assert.True(File.Exists(Path.Combine(files.Directory, "pub", "models", "Sample.Digits.onnx")));
        Assert.True(File.Exists(Path.Combine(files.Directory, "pub", "models", "Sample.Digits.kernels")));

        // Without the model file the app says which file it looked for, and where.
        File.Move(onnx.FullName, onnx.FullName + ".moved");
        var missing = files.Run();
        output.WriteLine(missing.Output);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains($"'{Path.Combine("models", "Sample.Digits.onnx")}' is not in '{bin}{Path.DirectorySeparatorChar}'", missing.Output);
    }

    private TestApp App(string name, string properties)
    {
        var app = new TestApp(packages, name, properties + Item);
        Directory.CreateDirectory(Path.Combine(app.Directory, "Models"));
        SaveWithExternalData(Path.Combine(RepositoryPaths.SharedData, "models", "digits_mlp.onnx"), Path.Combine(app.Directory, "Models", "digits.onnx"));
        app.WriteFile("Program.cs", Program);
        return app;
    }

    private string[] BuildAndRun(TestApp app)
    {
        output.WriteLine(app.Build().AssertSucceeded($"dotnet build of {app.Name}").Output);
        var run = app.Run().AssertSucceeded(app.Name);
        output.WriteLine(run.Output);
        return run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static string Bin(TestApp app) => Path.Combine(app.Directory, "bin", "Debug", "net10.0");

    /// <summary>The model with every initializer in <c>digits.onnx.data</c> beside it, written by the onnx package.</summary>
    private static void SaveWithExternalData(string source, string destination)
    {
        const string script = """
            import sys, onnx
            model = onnx.load(sys.argv[1])
            onnx.save_model(model, sys.argv[2], save_as_external_data=True, all_tensors_to_one_file=True, location="digits.onnx.data", size_threshold=0)
            """;
        var scriptFile = Path.Combine(Path.GetDirectoryName(destination)!, "save_external.py");
        File.WriteAllText(scriptFile, script);
        ProcessRunner.Run(TestNeeds.SystemPython, $"\"{scriptFile}\" \"{source}\" \"{destination}\"", Path.GetDirectoryName(destination)!)
            .AssertSucceeded("onnx.save_model with external data");
        File.Delete(scriptFile);
        Assert.True(new FileInfo(destination + ".data").Length > 100_000, "the weights went to the external data file");
    }
}

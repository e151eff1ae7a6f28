using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// A model whose input, output, dimension and node names each carry a line terminator followed by
/// C# (a module initializer that writes a file before Main) must not put that C# into the app: the
/// build either fails with a coded diagnostic, or succeeds and the app runs without the payload
/// running, the payload standing in the generated source only inside comments and literals.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class GeneratedCodeInjectionAppTests
{
    private readonly PackedPackages _packages;
    private readonly ITestOutputHelper _output;

    public GeneratedCodeInjectionAppTests(PackedPackages packages, ITestOutputHelper output)
    {
        _packages = packages;
        _output = output;
    }

    [Fact]
    public void Names_with_line_breaks_and_code_never_become_code_in_the_app()
    {
        using var app = new TestApp(_packages, "InjectionApp",
            "<PropertyGroup><EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles></PropertyGroup>");
        var marker = Path.Combine(app.Directory, "pwned.txt");
        string Payload(string lineBreak) =>
            lineBreak + "[global::System.Runtime.CompilerServices.ModuleInitializer] internal static void Pwned() => " +
            $"System.IO.File.WriteAllText(\"{marker}\", \"pwned\");" + lineBreak + "// ";
        // Every line terminator C# knows, one per name, so each escape route is tried.
        var model = TinyOnnxModel.Relu(
            input: "in" + Payload("\r\n"),
            output: "out" + Payload("\n"),
            dim: "batch" + Payload("\u2028"),
            node: "relu" + Payload("\u0085") + "*/" + Payload("\u2029"));
        Directory.CreateDirectory(Path.Combine(app.Directory, "Models"));
        File.WriteAllBytes(Path.Combine(app.Directory, "Models", "hostile.onnx"), model);
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("app ran: " + typeof(Hostile).Name);

            [OnnxModel("Models/hostile.onnx")]
            public partial class Hostile;
            """);

        var build = app.Build();
        _output.WriteLine(build.Output);

        var errors = build.Output.Split('\n').Where(line => line.Contains(": error ")).ToList();
        Assert.All(errors, line => Assert.Matches(@"error OPT\d{4}:", line));
        if (build.ExitCode != 0)
        {
            Assert.NotEmpty(errors);
            Assert.False(File.Exists(marker));
            return;
        }

        var generated = Path.Combine(app.Directory, "obj", "Debug", "net10.0", "generated");
        var sources = Directory.GetFiles(generated, "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        Assert.Contains(sources, source => source.Contains("partial class Hostile"));
        foreach (var source in sources)
        {
            var code = CSharpCodeText.WithoutCommentsAndLiterals(source);
            Assert.DoesNotContain("ModuleInitializer]", code);
            Assert.DoesNotContain("WriteAllText(", code);
        }

        var run = app.Run();
        _output.WriteLine(run.Output);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("app ran: Hostile", run.Output);
        Assert.False(File.Exists(marker), "the model's names ran as code in the app");
    }
}

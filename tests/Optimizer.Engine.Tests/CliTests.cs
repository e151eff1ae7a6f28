using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Output;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests;

public sealed class CliTests
{
    [Fact]
    public void Unknown_command_is_a_usage_error()
    {
        var (exitCode, _, stderr) = EngineRun.Run("frobnicate");
        Assert.Equal(2, exitCode);
        Assert.StartsWith("Optimizer.Engine: error OPT1050: Unknown command 'frobnicate'", stderr);
    }

    [Fact]
    public void Optimize_without_a_plan_is_a_usage_error()
    {
        var (exitCode, _, stderr) = EngineRun.Run("optimize");
        Assert.Equal(1, exitCode);
        Assert.Contains("error OPT1050: Give either --plan or --model", stderr);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (exitCode, stdout, _) = EngineRun.Run("--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("optimize --plan", stdout);
        Assert.Contains("inspect <model.onnx>", stdout);
    }

    [ConditionalFact("data")]
    public void Inspect_prints_inputs_outputs_and_operators()
    {
        var models = RepositoryPaths.SharedModels;

        var (exitCode, stdout, stderr) = EngineRun.Run("inspect", Path.Combine(models, "digits_mlp.onnx"));

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("inputs:", stdout);
        Assert.Contains("outputs:", stdout);
        Assert.Contains("float32", stdout);
        Assert.Contains("operators:", stdout);
    }

    [Theory]
    [InlineData("/p/Program.cs", 12, 2, "/p/Program.cs(12,2): error OPT1102: bad")]
    [InlineData("/p/App.csproj", 7, 0, "/p/App.csproj(7): error OPT1102: bad")]
    [InlineData("/p/App.csproj", 0, 0, "/p/App.csproj: error OPT1102: bad")]
    public void Canonical_errors_have_the_msbuild_shape(string file, int line, int column, string expected) =>
        Assert.Equal(expected, CanonicalError.Format("OPT1102", "bad", new DiagnosticLocation(file, line, column)));

    [Fact]
    public void Multi_line_messages_stay_on_one_line() =>
        Assert.Equal("Optimizer.Engine: error OPT1099: a b", CanonicalError.Format("OPT1099", "a\nb", null));

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\u0085")]
    [InlineData("\u2028")]
    [InlineData("\u2029")]
    public void A_model_name_cannot_forge_a_second_diagnostic_or_a_terminal_escape(string terminator)
    {
        var message = $"two initializers are named 'w{terminator}/p/App.csproj(1,1): error OPT1000: forged \u001b[2K'";

        var line = CanonicalError.Format("OPT1122", message, null);

        Assert.DoesNotContain(line, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        Assert.StartsWith("Optimizer.Engine: error OPT1122: ", line);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\u2028")]
    public void Names_from_the_model_or_its_data_cannot_forge_a_diagnostic_in_the_summary_line(string terminator)
    {
        var plan = new Plans.OptimizationPlan(1, "M", "", "m.onnx", "m.onnx", null, "obj", null, "r", []);
        // Fidelity and timing text carry output and input names, and the data's declared path.
        var fidelity = $"out{terminator}/p/App.csproj(1,1): error OPT1000: forged \u001b[2K SQNR 30.0 dB";
        var speed = $"DynamicInt8 0.40× fp32 latency at ids{terminator}warning OPT1001: forged [1,16]";

        var line = Commands.SummaryLine.Format(plan, 100, 50, null, fidelity, speed);

        Assert.DoesNotContain(line, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        Assert.StartsWith("m.onnx: no passes → ", line);
    }

    [Fact]
    public void Atomic_writer_leaves_nothing_behind_when_a_file_cannot_be_placed()
    {
        var directory = Path.Combine(Path.GetTempPath(), "optimizer-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(directory, "b.model.json")); // a folder where the file must go
        try
        {
            var error = Assert.Throws<EngineException>(() => AtomicOutputWriter.WriteAll(directory,
                [("a.onnx", [1, 2, 3]), ("b.model.json", [4, 5, 6])]));

            Assert.Equal(EngineErrorCodes.WriteFailed, error.Code);
            Assert.Equal([Path.Combine(directory, "b.model.json")], Directory.GetFileSystemEntries(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

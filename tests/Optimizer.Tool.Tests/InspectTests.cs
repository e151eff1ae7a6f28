using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

public sealed class InspectTests(ITestOutputHelper output)
{
    [ConditionalFact("data")]
    public void Digits_cnn_json_has_signature_histogram_parameters_flops_and_memory()
    {
        var model = ToolRun.SharedModel("digits_cnn.onnx");

        var result = ToolRun.Tool("inspect", model, "--json");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        var json = result.Json();
        var input = Assert.Single(json.GetProperty("inputs").EnumerateArray());
        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("float32", input.GetProperty("elementType").GetString());
        Assert.Equal("""["batch",1,8,8]""", input.GetProperty("shape").GetRawText().Replace(" ", "").Replace("\n", "").Replace("\r", ""));
        Assert.Equal(2, json.GetProperty("operators").GetProperty("Conv").GetInt32());
        Assert.Equal(1, json.GetProperty("operators").GetProperty("Gemm").GetInt32());
        Assert.Equal(8, json.GetProperty("nodes").GetInt32());
        Assert.Equal(6090, json.GetProperty("parameters").GetInt64());
        Assert.Equal(168_448, json.GetProperty("flops").GetInt64());
        Assert.Equal(new FileInfo(model).Length, json.GetProperty("fileSize").GetInt64());
        Assert.Equal(6090 * 4, json.GetProperty("memory").GetProperty("weightBytes").GetInt64());
        Assert.True(json.GetProperty("memory").GetProperty("activationBytes").GetInt64() > 0);
    }

    [ConditionalFact("data")]
    public void Hello_deepa_text_keeps_onnx_names_and_fixed_dims()
    {
        var model = ToolRun.SharedModel("hello_deepa.onnx");

        var result = ToolRun.Tool("inspect", model);
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("onnx::Flatten_0", result.Stdout);
        Assert.Contains("[1, 25, 96]", result.Stdout);
        Assert.Contains("ReduceMean", result.Stdout);
        Assert.Contains("78,049", result.Stdout);
        Assert.DoesNotContain('\u001b', result.Stdout); // no control codes when not a terminal
    }

    [Fact]
    public void A_missing_model_is_a_coded_error_with_exit_code_1_and_a_json_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N") + ".onnx");

        var result = ToolRun.Tool("inspect", missing, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(": error OPT1100: ", result.Stderr);
        Assert.Contains(missing, result.Stderr);
        Assert.Equal("OPT1100", result.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_a_coded_error()
    {
        var bad = Path.Combine(Path.GetTempPath(), "not-onnx-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllText(bad, "this is not a model");
        try
        {
            var result = ToolRun.Tool("inspect", bad);
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"error OPT11\d\d: ", result.Stderr);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("inspect")]
    [InlineData("inspect a.onnx --no-such-option")]
    [InlineData("bench a.onnx --batch zero")]
    [InlineData("bench a.onnx --batch 0")]
    public void Command_line_mistakes_exit_with_2_and_OPT1050(string commandLine)
    {
        var result = ToolRun.Tool(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error OPT1050: ", result.Stderr);
    }

    [Fact]
    public void Usage_errors_with_json_still_print_parseable_json()
    {
        var result = ToolRun.Tool("frobnicate", "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("OPT1050", result.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public void Help_and_version_exit_0()
    {
        var help = ToolRun.Tool("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "inspect", "optimize", "verify", "bench", "report" })
            Assert.Contains(command, help.Stdout);
        Assert.Contains("Exit codes: 0 success, 1 coded error", help.Stdout);

        var version = ToolRun.Tool("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());
    }

}

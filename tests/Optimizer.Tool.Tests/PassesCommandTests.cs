using System.Text.Json;
using Optimizer.Passes.Schema;
using Optimizer.Tests.Shared;

namespace Optimizer.Tool.Tests;

/// <summary>
/// <c>onnx-opt passes</c> prints the pass schema, and the README's option reference is that output:
/// an option added to an attribute shows in both, or this fails.
/// </summary>
public sealed class PassesCommandTests
{
    [Fact]
    public void The_readme_option_reference_is_the_generated_one()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryLayout.RequiredRoot, "README.md")).Replace("\r\n", "\n");
        const string Begin = "<!-- pass-options:begin -->\n", End = "<!-- pass-options:end -->";
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no pass-options section");
        Assert.Equal(Run("passes", "--markdown").TrimEnd('\n'), readme[(start + Begin.Length)..end].TrimEnd('\n'));
    }

    [Fact]
    public void Json_lists_every_pass_and_option_with_its_modes()
    {
        using var json = JsonDocument.Parse(Run("passes", "--json"));
        var passes = json.RootElement.EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(PassSchema.All.Select(p => p.Name), passes.Keys);
        var percentile = passes["Quantize"].GetProperty("options").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "Percentile");
        Assert.Equal("99.999", percentile.GetProperty("defaultValue").GetString());
        Assert.Equal(["StaticInt8"], percentile.GetProperty("appliesTo").EnumerateArray().Select(v => v.GetString()));
        Assert.True(passes["AccuracyBudget"].GetProperty("isCheck").GetBoolean());
        Assert.True(passes["Cleanup"].GetProperty("alwaysOn").GetBoolean());
    }

    private static string Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, ToolCli.Run(args, stdout, stderr));
        return stdout.ToString().Replace("\r\n", "\n");
    }
}

using Optimizer.Build.Tasks.Discovery;
using Optimizer.Runtime;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The task repeats Optimizer.Runtime's attribute names and enum members (it cannot reference
/// the net10.0 runtime); these tests fail when the two drift apart.
/// </summary>
public sealed class AttributeCatalogTests
{
    [Fact]
    public void Every_pass_attribute_and_option_exists_in_the_runtime()
    {
        var runtime = typeof(OnnxModelAttribute).Assembly;
        foreach (var pass in AttributeCatalog.Passes)
        {
            var type = runtime.GetType($"Optimizer.Runtime.{pass.Name}Attribute");
            Assert.True(type is not null, $"Optimizer.Runtime has no {pass.Name}Attribute");
            foreach (var option in pass.Named.Concat(pass.Positional))
                Assert.True(type!.GetProperty(option.Name) is not null, $"{pass.Name}Attribute has no {option.Name}");
        }
    }

    [Fact]
    public void Every_runtime_pass_property_is_known_to_the_task()
    {
        foreach (var pass in AttributeCatalog.Passes)
        {
            var type = typeof(OnnxModelAttribute).Assembly.GetType($"Optimizer.Runtime.{pass.Name}Attribute")!;
            foreach (var property in type.GetProperties().Where(p => p.DeclaringType == type))
                Assert.True(pass.FindNamed(property.Name) is not null, $"the task does not know {pass.Name}.{property.Name}");
        }
    }

    [Fact]
    public void Enum_members_match_the_runtime()
    {
        var options = AttributeCatalog.Passes.SelectMany(p => p.Named).Where(o => o.Kind == OptionKind.Enum);
        foreach (var option in options)
        {
            var type = typeof(OnnxModelAttribute).Assembly.GetType("Optimizer.Runtime." + option.EnumType)!;
            Assert.Equal(Enum.GetNames(type), option.Members);
        }
    }

    [Theory]
    [InlineData("OnnxModel", "OnnxModel")]
    [InlineData("OnnxModelAttribute", "OnnxModel")]
    [InlineData("Optimizer.Runtime.Quantize", "Quantize")]
    [InlineData("global::Optimizer.Runtime.PruneAttribute", "Prune")]
    [InlineData("Other.Quantize", null)]
    [InlineData("Serializable", null)]
    public void Attribute_names_are_recognized(string written, string? expected) =>
        Assert.Equal(expected, AttributeCatalog.Recognize(written));
}

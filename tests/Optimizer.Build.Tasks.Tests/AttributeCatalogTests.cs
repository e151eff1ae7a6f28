using System.Reflection;
using Optimizer.Build.Tasks.Discovery;
using Optimizer.Passes.Schema;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The task compiles Optimizer.Runtime's attribute files in and reads the pass schema from them
/// (<see cref="PassSchema"/>); these tests check that what the task reads is what users see in
/// the runtime, and that no public option escapes the schema.
/// </summary>
public sealed class AttributeCatalogTests
{
    private static readonly Assembly Runtime = typeof(Optimizer.Runtime.OnnxModelAttribute).Assembly;

    [Fact]
    public void The_task_reads_the_same_schema_as_the_runtime_attributes_declare()
    {
        foreach (var pass in AttributeCatalog.Passes)
        {
            var type = Runtime.GetType($"Optimizer.Runtime.{pass.Name}Attribute");
            Assert.True(type is not null, $"Optimizer.Runtime has no {pass.Name}Attribute");
            Assert.Equal(Describe(pass), Describe(SchemaReader.Read(type!)));
        }
    }

    [Fact]
    public void Every_public_property_of_a_runtime_pass_attribute_is_an_option()
    {
        foreach (var pass in AttributeCatalog.Passes)
        {
            var type = Runtime.GetType($"Optimizer.Runtime.{pass.Name}Attribute")!;
            foreach (var property in type.GetProperties().Where(p => p.DeclaringType == type))
                Assert.True(pass.FindNamed(property.Name) is not null, $"{pass.Name}.{property.Name} has no [PassOption]: the build would refuse it");
        }
    }

    [Fact]
    public void Enum_options_list_the_runtime_enum_members()
    {
        foreach (var option in AttributeCatalog.Passes.SelectMany(p => p.Options).Where(o => o.Kind == OptionKind.Enum))
            Assert.Equal(Enum.GetNames(Runtime.GetType("Optimizer.Runtime." + option.EnumType)!), option.Members);
    }

    [Fact]
    public void Quantize_options_name_the_modes_they_apply_to()
    {
        var quantize = AttributeCatalog.FindPass("Quantize")!;
        Assert.Equal(["StaticInt8"], quantize.FindNamed("Calibration")!.AppliesTo);
        Assert.Equal(["DynamicInt8"], quantize.FindNamed("PerChannel")!.AppliesTo);
        Assert.Empty(quantize.FindNamed("RequireSpeedup")!.AppliesTo);
        Assert.True(quantize.FindNamed("RequireSpeedup")!.IsCheck);
        Assert.Equal("Mode", quantize.ModeOption!.Name);
        Assert.Equal("32", quantize.FindNamed("BlockSize")!.DefaultText);
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

    private static string Describe(PassDescriptor pass) =>
        $"{pass.Name} {pass.StageName} key={pass.ItemKey?.Name} package={pass.Package}\n" + string.Join("\n", pass.Options.Select(o =>
            $"{o.Name} {o.Kind} {o.Range} int={o.IsInteger} pow2={o.PowerOfTwo} default={o.DefaultText} members={string.Join("|", o.Members)} item={o.ItemMetadata} check={o.IsCheck} positional={o.IsPositional} applies={o.AppliesToOption}:{string.Join("|", o.AppliesTo)}"));
}

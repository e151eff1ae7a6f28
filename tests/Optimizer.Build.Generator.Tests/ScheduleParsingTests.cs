using Optimizer.Build.Generator.Model;
using Optimizer.Build.Generator.Parser;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>The manifest's <c>execution.compiled.schedule</c>: read exactly, compared by value, refused with a reason when malformed.</summary>
public class ScheduleParsingTests
{
    [Fact]
    public void Reads_operands_shaped_values_spans_and_float_bits()
    {
        ScheduleStep step = ScheduleParser.TryParse("Binary:fff A2[(d0*64)+8,d0*10] W[0,1] O1[(d0*4)-4,d0*(d1/2)] | 2 -3 [32,d0,0,0,0,0] | 3F800000 FF800000", out string problem)!;

        Assert.Equal("", problem);
        Assert.Equal("Binary", step.Kernel);
        Assert.Equal("fff", step.OperandTypes);
        Assert.Equal(new ScheduleOperand(ScheduleRegion.Arena, 2, ScheduleValue.Shaped, ScheduleValue.Shaped), step.Operands[0]);
        Assert.Equal(new ScheduleOperand(ScheduleRegion.Weights, 0, ScheduleValue.Of(0), ScheduleValue.Of(1)), step.Operands[1]);
        Assert.Equal(new ScheduleOperand(ScheduleRegion.Output, 1, ScheduleValue.Shaped, ScheduleValue.Shaped), step.Operands[2]);
        Assert.Equal([ScheduleValue.Of(2)], step.Ints[0].Values);
        Assert.Equal([ScheduleValue.Of(-3)], step.Ints[1].Values);
        Assert.True(step.Ints[2].IsSpan);
        Assert.Equal([ScheduleValue.Of(32), ScheduleValue.Shaped, ScheduleValue.Of(0), ScheduleValue.Of(0), ScheduleValue.Of(0), ScheduleValue.Of(0)], step.Ints[2].Values);
        Assert.Equal([0x3F800000, unchecked((int)0xFF800000)], step.FloatBits);
    }

    [Fact]
    public void Reads_the_node_name_after_the_floats_even_with_separators_in_it()
    {
        ScheduleStep named = ScheduleParser.TryParse("Copy:ff A0[0,10] O0[0,10] | 10 |  # /block|1/Copy #2", out string problem)!;
        ScheduleStep unnamed = ScheduleParser.TryParse("Copy:ff A0[0,10] O0[0,10] | 10 | ", out _)!;

        Assert.Equal("", problem);
        Assert.Equal("/block|1/Copy #2", named.Node);
        Assert.Equal([ScheduleValue.Of(10)], named.Ints[0].Values);
        Assert.Equal("", unnamed.Node);
        Assert.NotEqual(named, unnamed);
    }

    [Theory]
    [InlineData("Gemm:ff I0[0,d0*64] W[0,1] | 1", "three sections")]
    [InlineData("Gemm:fff I0[0,d0*64] W[0,1] | 1 | ", "one operand type (f, u or i) per operand")]
    [InlineData("Gemm:fx I0[0,d0*64] W[0,1] | 1 | ", "one operand type (f, u or i) per operand")]
    [InlineData("Gemm:ff X0[0,d0*64] W[0,1] | 1 | ", "'X0[0,d0*64]' is not an operand")]
    [InlineData("Gemm:ff I0[0,64*m] W[0,1] | 1 | ", "'I0[0,64*m]' is not an operand")]
    [InlineData("Gemm:ff I0[0,d0*64] W[0,1] | 1.5 | ", "'1.5' is not an integer argument")]
    [InlineData("Gemm:ff I0[0,d0*64] W[0,1] | 1 | 1.0", "'1.0' is not a float argument")]
    public void Refuses_a_malformed_step_with_the_reason(string line, string reason)
    {
        Assert.Null(ScheduleParser.TryParse(line, out string problem));
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void A_malformed_step_makes_the_manifest_malformed_with_its_position()
    {
        string text = Manifests.DigitsCompiled().Replace("| 1 d0 10 128", "| 1 d0*x 10 128");

        ManifestFile file = ManifestParser.Parse("d.model.json", text);

        Assert.Equal(ManifestProblem.Malformed, file.Problem);
        Assert.Contains("schedule step 2 is not readable: 'd0*x' is not an integer argument", file.ProblemDetail);
    }

    [Fact]
    public void Equal_schedules_give_equal_manifests_and_a_changed_step_does_not()
    {
        ModelManifest first = ManifestParser.Parse("d", Manifests.DigitsCompiled()).Manifest!;

        Assert.Equal(first, ManifestParser.Parse("d", Manifests.DigitsCompiled()).Manifest);
        Assert.Equal(3, first.Schedule!.Steps.Count);
        Assert.Equal(108864, first.Schedule.ProgramSize);
        Assert.NotEqual(first, ManifestParser.Parse("d", Manifests.DigitsCompiled().Replace("3F800000 00000000 00000000 # /fc3/Gemm", "3F800001 00000000 00000000 # /fc3/Gemm")).Manifest);
        // The node name is in the generated comments, so a renamed node is a different schedule too.
        Assert.NotEqual(first, ManifestParser.Parse("d", Manifests.DigitsCompiled().Replace("# /fc3/Gemm", "# /head/Gemm")).Manifest);
    }

    [Fact]
    public void Reads_the_variants_best_first()
    {
        ModelManifest manifest = ManifestParser.Parse("d", Manifests.DigitsWithVariants()).Manifest!;

        Assert.Equal(2, manifest.Variants.Count);
        Assert.Equal(("int8", "int8-dot-product", "Optimizer.Build.Sample.DigitClassifier.kernels"), (manifest.Variants[0].Name, manifest.Variants[0].Requires, manifest.Variants[0].ResourceName));
        Assert.Null(manifest.Variants[0].Schedule);
        Assert.Equal(("fp32", null), (manifest.Variants[1].Name, manifest.Variants[1].Requires));
        Assert.Equal(99840, manifest.Variants[1].Schedule!.ProgramSize);
        Assert.Equal(manifest, ManifestParser.Parse("d", Manifests.DigitsWithVariants()).Manifest);
        Assert.NotEqual(manifest, ManifestParser.Parse("d", Manifests.DigitsWithVariants().Replace("\"name\": \"fp32\"", "\"name\": \"fp16\"")).Manifest);
    }
}

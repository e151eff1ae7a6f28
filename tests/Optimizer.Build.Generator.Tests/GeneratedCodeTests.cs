using Optimizer.Build.Generator.Tests.Harness;
using Snapshooter.Xunit;

namespace Optimizer.Build.Generator.Tests;

/// <summary>What the generator writes, pinned by snapshots, and proof that it compiles against the runtime.</summary>
public class GeneratedCodeTests
{
    private const string DigitsSource = """
        using Optimizer.Runtime;

        namespace Sample;

        [OnnxModel("Models/digits.onnx")]
        [Quantize(QuantizationMode.DynamicInt8)]
        public partial class DigitClassifier;
        """;

    [Fact]
    public void Digits_mlp_class()
    {
        GeneratorRun run = GeneratorHarness.Run(DigitsSource, (Manifests.DigitsPath, Manifests.Digits()));

        run.AssertCompilesCleanly();
        Snapshot.Match(run.SingleSource);
    }

    [Fact]
    public void Digits_mlp_class_with_compiled_kernels()
    {
        GeneratorRun run = GeneratorHarness.Run(DigitsSource, (Manifests.DigitsPath, Manifests.DigitsCompiled()));

        run.AssertCompilesCleanly();
        Assert.Contains("ProgramResourceName = \"Optimizer.Build.Sample.DigitClassifier.kernels\",", run.SingleSource);
        Assert.Contains("CompiledSchedule = __KernelSchedule.Instance,", run.SingleSource);
        Assert.Equal(3, run.SingleSource.Split('\n').Count(l => l.TrimStart().StartsWith("global::Optimizer.Runtime.Compiled.Kernels.Gemm(", StringComparison.Ordinal)));
        Snapshot.Match(run.SingleSource);
    }

    [Fact]
    public void Digits_class_with_int8_and_fp32_variants()
    {
        GeneratorRun run = GeneratorHarness.Run(DigitsSource, (Manifests.DigitsPath, Manifests.DigitsWithVariants()));

        run.AssertCompilesCleanly();
        Assert.Contains("new global::Optimizer.Runtime.CompiledVariant(\"int8\", \"Optimizer.Build.Sample.DigitClassifier.kernels\", \"int8-dot-product\", __KernelSchedule.Instance),", run.SingleSource);
        Assert.Contains("new global::Optimizer.Runtime.CompiledVariant(\"fp32\", \"Optimizer.Build.Sample.DigitClassifier.fp32.kernels\", null, __KernelSchedule1.Instance),", run.SingleSource);
        Snapshot.Match(run.SingleSource);
    }

    [Fact]
    public void A_manifest_without_a_compiled_program_generates_what_it_did_before()
    {
        string withoutProgram = Manifests.Digits().TrimEnd().TrimEnd('}').TrimEnd() + """
            ,
              "execution": { "paths": ["OnnxRuntime"], "compiled": null, "notCompiled": ["n (LSTM): operator LSTM is not in the kernel set"] }
            }
            """;

        Assert.Equal(
            GeneratorHarness.Run(DigitsSource, (Manifests.DigitsPath, Manifests.Digits())).SingleSource,
            GeneratorHarness.Run(DigitsSource, (Manifests.DigitsPath, withoutProgram)).SingleSource);
    }

    [Fact]
    public void Hello_deepa_class_with_onnx_style_names()
    {
        string manifest = Manifests.With(
            "Demo.Hello", "hello_deepa.onnx", Manifests.Tensor("onnx::Flatten_0", "float32", "[1, 25, 96]"), Manifests.Tensor("39", "float32", "[1, 1]"));

        GeneratorRun run = GeneratorHarness.Run("""
            namespace Demo;
            [Optimizer.Runtime.OnnxModel("hello_deepa.onnx")]
            internal sealed partial class Hello { }
            """, ("Hello.model.json", manifest));

        run.AssertCompilesCleanly();
        Snapshot.Match(run.SingleSource);
    }

    [Fact]
    public void Nested_in_generic_types_in_the_global_namespace()
    {
        string manifest = Manifests.With(
            "Outer.Middle.Model", "m.onnx", Manifests.Tensor("x", "int64", "[\"n\"]"), Manifests.Tensor("y", "float16", "null"));

        GeneratorRun run = GeneratorHarness.Run("""
            public static partial class Outer
            {
                internal partial struct Middle<T> where T : struct
                {
                    [Optimizer.Runtime.OnnxModel("m.onnx")]
                    private partial class Model<U> { }
                }
            }
            """, ("m.model.json", manifest));

        run.AssertCompilesCleanly();
        Snapshot.Match(run.SingleSource);
    }

    [Fact]
    public void Every_element_type_and_shape_form_compiles()
    {
        string[] types = ["float32", "float64", "float16", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool", "string"];
        string inputs = string.Join(", ", types.Select((t, i) => Manifests.Tensor($"in_{t}", t, i % 3 == 0 ? "null" : i % 3 == 1 ? "[]" : "[\"batch\", null, 3]")));
        string outputs = string.Join(", ", types.Select(t => Manifests.Tensor($"out.{t}", t, "[\"batch\"]")));

        GeneratorRun run = GeneratorHarness.Run("""
            [Optimizer.Runtime.OnnxModel("all.onnx")]
            partial class AllTypes { }
            """, ("all.model.json", Manifests.With("AllTypes", "all.onnx", inputs, outputs)));

        run.AssertCompilesCleanly();
        Assert.Contains("global::Optimizer.Runtime.ModelTensor<global::System.Half> InFloat16 { get; }", run.SingleSource);
        Assert.Contains("global::Optimizer.Runtime.ModelTensor<string> OutString { get; }", run.SingleSource);
        Assert.Contains("TensorDimension.Unknown", run.SingleSource);
    }

    [Fact]
    public void Generated_api_is_usable_as_the_design_shows()
    {
        string program = """
            using Optimizer.Runtime;

            namespace Sample;

            public static class Program
            {
                public static int Classify(float[] pixels)
                {
                    using var model = new DigitClassifier(new ModelOptions { Target = ExecutionTarget.Auto });
                    DigitClassifier.Output y = model.Run(new DigitClassifier.Input(new ModelTensor<float>(pixels, 1, 1, 8, 8)));
                    string shape = DigitClassifier.Metadata.Inputs[0].FormatShape();
                    return y.Logits.ArgMax() + shape.Length;
                }
            }
            """;

        GeneratorRun run = GeneratorHarness.Run([DigitsSource, program], (Manifests.DigitsPath, Manifests.Digits()));

        run.AssertCompilesCleanly();
    }

    [Fact]
    public void Output_is_deterministic()
    {
        string first = GeneratorHarness.Run(DigitsSource, (Manifests.DigitsPath, Manifests.Digits())).SingleSource;
        string second = GeneratorHarness.Run(DigitsSource, (Manifests.DigitsPath, Manifests.Digits())).SingleSource;

        Assert.Equal(first, second);
        Assert.DoesNotContain("\r", first);
        Assert.StartsWith("// <auto-generated/>\n#nullable enable\n", first);
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.OnnxRuntime.Tensors;
using Optimizer.Build.Generator.Tests.Harness;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// A file that imports the BCL's and ONNX Runtime's tensor namespaces beside Optimizer.Runtime
/// compiles with a generated class: the runtime's tensor is <c>ModelTensor</c>, so <c>Tensor&lt;T&gt;</c>
/// is never ambiguous (CS0104), and it converts to and from <c>System.Numerics.Tensors</c>.
/// </summary>
public class TensorNamespacesTests
{
    [Fact]
    public void Generated_class_compiles_beside_system_numerics_and_onnx_runtime_tensors()
    {
        string program = """
            #pragma warning disable SYSLIB5001 // System.Numerics.Tensors 9.x: Tensor<T> is experimental
            using System.Numerics.Tensors;
            using Microsoft.ML.OnnxRuntime.Tensors;
            using Optimizer.Runtime;

            namespace Sample;

            [OnnxModel("Models/digits.onnx")]
            public partial class DigitClassifier;

            public static class Program
            {
                public static float Classify(float[] pixels)
                {
                    using var model = new DigitClassifier();
                    System.Numerics.Tensors.Tensor<float> bcl = System.Numerics.Tensors.Tensor.Create(pixels, [1, 1, 8, 8]);
                    DigitClassifier.Output y = model.Run(new DigitClassifier.Input(bcl.ToModelTensor()));
                    System.Numerics.Tensors.Tensor<float> logits = y.Logits.ToTensor();
                    DenseTensor<float> ort = new DenseTensor<float>(y.Logits.Memory, [1, 10]);
                    return logits[0, 1] + ort[0, 1] + y.Logits.AsReadOnlyTensorSpan()[0, 2];
                }
            }
            """;

        CSharpCompilation compilation = GeneratorHarness.Compilation(program)
            .AddReferences(MetadataReference.CreateFromFile(typeof(DenseTensor<>).Assembly.Location));
        GeneratorDriver driver = GeneratorHarness.CreateDriver((Manifests.DigitsPath, Manifests.Digits()))
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);

        new GeneratorRun(driver.GetRunResult(), output).AssertCompilesCleanly();
    }
}

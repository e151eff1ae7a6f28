using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Conformance;

/// <summary>Prints why the compiler refuses the node cases of the kernel set's operators (the report the engine shows).</summary>
public sealed class CoverageReportTests(ITestOutputHelper output)
{
    private static readonly string[] KernelSetPrefixes =
    [
        "test_conv", "test_gemm", "test_matmul", "test_maxpool", "test_averagepool", "test_globalaveragepool", "test_relu", "test_clip", "test_sigmoid",
        "test_tanh", "test_leakyrelu", "test_hardsigmoid", "test_add", "test_mul", "test_sub", "test_div", "test_flatten", "test_reshape", "test_transpose",
        "test_squeeze", "test_unsqueeze", "test_concat", "test_softmax", "test_quantizelinear", "test_dequantizelinear",
        // issue 14: the ops the real models need
        "test_erf", "test_gelu", "test_layer_normalization", "test_logsoftmax", "test_reduce_mean", "test_reduce_sum", "test_reduce_max", "test_pow",
        "test_sqrt", "test_prelu", "test_hardswish", "test_gather", "test_cast", "test_equal", "test_less", "test_greater", "test_not", "test_and",
        "test_or", "test_where", "test_expand", "test_tile", "test_range", "test_constantofshape", "test_slice", "test_split", "test_pad",
        "test_edge_pad", "test_reflect_pad", "test_constant_pad", "test_resize", "test_convtranspose", "test_if",
    ];

    [ConditionalFact("onnx-conformance/node")]
    public void Refused_kernel_set_cases_name_a_reason()
    {
        var root = RepositoryLayout.RequiredShared("onnx-conformance/node");
        var refused = 0;
        foreach (var caseDir in Directory.GetDirectories(root).Order(StringComparer.Ordinal)
                     .Where(d => KernelSetPrefixes.Any(p => Path.GetFileName(d).StartsWith(p, StringComparison.Ordinal))))
        {
            var model = OnnxModelLoader.Load(Path.Combine(caseDir, "model.onnx"));
            var reasons = KernelCompiler.CheckCoverage(model);
            if (reasons.Count > 0)
            {
                refused++;
                output.WriteLine($"{Path.GetFileName(caseDir)}: {string.Join("; ", reasons)}");
                Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
            }
        }

        output.WriteLine($"refused: {refused}");
    }
}

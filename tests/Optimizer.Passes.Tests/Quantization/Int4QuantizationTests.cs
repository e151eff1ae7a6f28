using Optimizer.Passes.Quantization;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

public sealed class Int4QuantizationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Packed_blocks_dequantize_close_to_the_weights(bool symmetric)
    {
        var weights = GraphBuilder.Values(3 * 40, 4); // K = 40: the second block of 32 is padded
        var q = Int4BlockQuantizer.Quantize(weights, 3, 40, 32, symmetric);

        Assert.Equal(2, q.BlocksPerRow);
        Assert.Equal(3 * 2 * 16, q.Packed.Length);
        for (var row = 0; row < 3; row++)
        {
            for (var k = 0; k < 40; k++)
            {
                var block = k / 32;
                var code = q.Packed[(row * 2 + block) * 16 + k % 32 / 2] >> (k % 2 * 4) & 0xF;
                var zeroPoint = symmetric ? 8 : q.ZeroPoints![row + block / 2] >> (block % 2 * 4) & 0xF;
                var scale = q.Scales[row * 2 + block];
                // Symmetric blocks map the largest magnitude to -8, so the other sign clips at +7: up to one step off.
                Assert.InRange(Math.Abs((code - zeroPoint) * scale - weights[row * 40 + k]), 0, Math.Abs(scale) * (symmetric ? 1.01 : 0.51));
            }
        }
    }

    [Fact]
    public void Gemm_with_bias_runs_as_MatMulNBits_plus_Add_in_ort()
    {
        var model = GraphBuilder.Gemm(64, 8, 1f, 1f);
        var result = PassPipeline.Run(model, [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "Int4", ["BlockSize"] = "16" })]);

        Assert.Contains(result.Model.Graph.Nodes, n => n.OpType == "MatMulNBits" && n.Domain == "com.microsoft");
        Assert.Contains(result.Model.Graph.Nodes, n => n.OpType == "Add");
        var x = GraphBuilder.Values(2 * 64, 8);
        var expected = Ort.Run(model, ("x", x, [2, 64]));
        var actual = Ort.Run(result.Model, ("x", x, [2, 64]));
        var maxError = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxError < 0.1 * expected.Max(Math.Abs), $"max error {maxError} for outputs up to {expected.Max(Math.Abs)}");
    }

    [Fact]
    public void Bad_block_size_is_OPT1203()
    {
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "Int4", ["BlockSize"] = "24" });
        Assert.Equal(PassErrorCodes.InvalidOption, Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(64, 8), [request])).Code);
    }
}

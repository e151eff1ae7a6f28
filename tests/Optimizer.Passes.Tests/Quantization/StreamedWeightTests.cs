using Optimizer.Onnx;
using Optimizer.Passes.Quantization;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>
/// Weights quantized a block of rows at a time (<see cref="StreamedWeightQuantizer"/>, how a multi-GiB weight
/// is done) give what the in-memory quantizers give; in a model, weights that stayed in their data file
/// (the in-memory limit lowered to 1 KB) quantize to the same model as weights held in memory.
/// </summary>
public sealed class StreamedWeightTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("streamed-weights-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Int8_by_row_blocks_equals_the_in_memory_quantizer(bool perChannel, bool reduceRange)
    {
        const int k = 300, n = 7000; // 7000 columns: 4 MiB blocks of 149 rows, the last one short
        var values = GraphBuilder.Values(k * n, 5);

        var streamed = StreamedWeightQuantizer.Int8(new WeightRows(OnnxTensor.FromFloats("W", [k, n], values)), perChannel, reduceRange);
        var inMemory = Int8WeightQuantizer.Quantize(values, k, n, perChannel, reduceRange);

        Assert.Equal(inMemory.Values, streamed.Values);
        Assert.Equal(inMemory.Scales, streamed.Scales);
        Assert.Equal(inMemory.RelativeRmse, streamed.RelativeRmse);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void Int4_by_row_blocks_equals_the_in_memory_quantizer(bool transposed, bool symmetric)
    {
        const int k = 100, n = 24, blockSize = 32; // K = 100: the last block of each column is padded
        var values = GraphBuilder.Values(k * n, 6);
        var weight = transposed ? OnnxTensor.FromFloats("B", [n, k], values) : OnnxTensor.FromFloats("W", [k, n], values);

        var streamed = StreamedWeightQuantizer.Int4(new WeightRows(weight), transposed, blockSize, symmetric);
        var inMemory = Int4BlockQuantizer.Quantize(transposed ? values : Int8WeightQuantizer.Transpose(values, k, n), n, k, blockSize, symmetric);

        Assert.Equal(inMemory.Packed, streamed.Packed);
        Assert.Equal(inMemory.Scales, streamed.Scales);
        Assert.Equal(inMemory.ZeroPoints, streamed.ZeroPoints);
        Assert.Equal(inMemory.RelativeRmse, streamed.RelativeRmse, 12);
    }

    [Theory]
    [InlineData("DynamicInt8", false)]
    [InlineData("Int4", false)]
    [InlineData("DynamicInt8", true)]
    [InlineData("Int4", true)]
    public void Weights_left_in_their_data_file_quantize_to_the_same_model(string mode, bool gemm)
    {
        var model = gemm ? GraphBuilder.Gemm(64, 48, 0.5f, 1f) : GraphBuilder.MatMul(64, 48);
        var path = Path.Combine(_folder, "model.onnx");
        OnnxModelWriter.Save(model, path, new ExternalDataOptions { Mode = ExternalDataMode.Always });
        var inMemory = OnnxModelLoader.Load(path);
        var inFile = OnnxModelLoader.Load(path, new ModelLoadLimits { InMemoryTensorBytes = 1024, InMemoryModelBytes = 0 });
        Assert.Contains(inFile.Graph.Initializers, t => t.StaysInFile);

        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = mode });
        var expected = PassPipeline.Run(inMemory, [request]);
        var actual = PassPipeline.Run(inFile, [request]);

        Assert.Equal(OnnxModelWriter.ToBytes(expected.Model), OnnxModelWriter.ToBytes(actual.Model));
        Assert.Equal(expected.Reports.Select(r => r.Summary), actual.Reports.Select(r => r.Summary));
    }
}

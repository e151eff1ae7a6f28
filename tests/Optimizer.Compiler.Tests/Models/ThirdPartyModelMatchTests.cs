using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The third-party models without a test of their own (build/fetch-third-party-models.sh): the PP-OCRv4
/// recognizer at two line widths and batches, openWakeWord's melspectrogram front end at three audio lengths and two batches,
/// its speech-embedding model at two batches, and a wake-word head, each compiled once with its symbolic
/// dimensions and run against ONNX Runtime on deterministic inputs in [-1, 1): every output within
/// rtol 1e-3 + atol 1e-4 of the output's largest value.
/// </summary>
public sealed class ThirdPartyModelMatchTests(ITestOutputHelper output)
{
    [ConditionalTheory(Needs.ThirdPartyModels)]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx", new[] { 1, 3, 48, 320 })]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx", new[] { 2, 3, 48, 160 })]
    [InlineData("melspectrogram.onnx", new[] { 1, 1280 })]
    [InlineData("melspectrogram.onnx", new[] { 1, 16000 })]
    [InlineData("melspectrogram.onnx", new[] { 2, 4000 })]
    [InlineData("embedding_model.onnx", new[] { 1, 76, 32, 1 })]
    [InlineData("embedding_model.onnx", new[] { 3, 76, 32, 1 })]
    [InlineData("namaste_deepa.onnx", new[] { 1, 24, 96 })]
    public void Program_matches_onnx_runtime(string file, int[] shape)
    {
        var model = OnnxModelLoader.Load(Path.Combine(TestNeeds.ThirdPartyModels, file));
        var program = ProgramRunner.Compile(model.Clone());
        var random = new Random(17);
        var values = Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        OnnxTensor[] inputs = [OnnxTensor.FromFloats(model.Graph.Inputs[0].Name, shape.Select(d => (long)d).ToArray(), values)];

        var expected = OrtRunner.Run(model, inputs).Select(SharedModels.Floats).ToArray();
        var actual = ProgramRunner.Run(program, inputs).Select(ProgramRunner.Floats).ToArray();

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            double scale = expected[i].Select(v => (double)Math.Abs(v)).DefaultIfEmpty().Max();
            output.WriteLine($"{file} [{string.Join(",", shape)}] output {i}: {actual[i].Length} values, largest {scale:G4}");
            Assert.Equal(expected[i].Length, actual[i].Length);
            Assert.Null(Tolerance.Compare(expected[i], actual[i], 1e-3, 1e-4 * Math.Max(1, scale)));
        }
    }
}

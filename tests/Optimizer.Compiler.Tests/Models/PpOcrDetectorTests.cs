using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The PP-OCRv4 text detector (third-party, build/fetch-third-party-models.sh; batch, height and width
/// symbolic): a strided backbone, an FPN whose nearest ×2/×4/×8 Resize upsampling is sized by
/// expressions of the input's sides, and ConvTranspose heads. Compiled once and run at several image
/// sizes (multiples of 32, as PaddleOCR feeds it) and batch sizes against ONNX Runtime: the probability
/// map within rtol 1e-3 + atol 1e-4. Inputs are deterministic values in [-1, 1).
/// </summary>
public sealed class PpOcrDetectorTests(ITestOutputHelper output)
{
    private static readonly Lazy<KernelProgram> Program = new(() => ProgramRunner.Compile(Load()));

    [ConditionalTheory(Needs.ThirdPartyModels)]
    [InlineData(1, 160, 320)]
    [InlineData(1, 224, 224)]
    [InlineData(2, 96, 128)]
    public void Probability_map_matches_onnx_runtime(int batch, int height, int width)
    {
        var image = Page(batch, height, width);
        OnnxTensor[] inputs = [OnnxTensor.FromFloats("x", [batch, 3, height, width], image)];
        var expected = SharedModels.Floats(OrtRunner.Run(Load(), inputs)[0]);
        var actual = ProgramRunner.Floats(ProgramRunner.Run(Program.Value, inputs)[0]);
        output.WriteLine($"{Program.Value.Steps.Count} steps; {batch}x3x{height}x{width}: largest probability {actual.Max():F4} vs ORT {expected.Max():F4}, "
                         + $"{actual.Count(p => p > 0.3f)} vs {expected.Count(p => p > 0.3f)} pixels above 0.3");
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Max() > 0.5f, "the synthetic page should show text to the detector");
        Assert.Null(Tolerance.Compare(expected, actual, 1e-3, 1e-4));
    }

    [ConditionalFact(Needs.ThirdPartyModels)]
    public void Sides_that_are_not_multiples_of_32_are_refused_by_a_guard()
    {
        // ONNX Runtime fails too: the FPN adds an upsampled level to one whose size was rounded differently.
        var error = Assert.Throws<ArgumentException>(() => ProgramLayout.For(Program.Value, ProgramLayout.Bind(Program.Value, [[1, 3, 100, 128]])));
        output.WriteLine(error.Message);
    }

    /// <summary>
    /// A normalized synthetic page (white ≈ 2, ink ≈ −2 as PaddleOCR's mean/std make them): a few lines
    /// of dark glyph-like blocks on white, with a little noise, different per image of the batch.
    /// </summary>
    private static float[] Page(int batch, int height, int width)
    {
        var image = new float[batch * 3 * height * width];
        for (var i = 0; i < image.Length; i++)
        {
            var (x, y, b) = (i % width, i / width % height, i / (3 * height * width));
            var line = (y + 4 * b) % 32;
            var ink = line is >= 10 and < 22 && x > 8 + 4 * b && x < width - 8 && (x / 5 + y / 7) % 3 != 0;
            image[i] = (ink ? -2f : 2f) + (float)(((i * 2654435761L) % 1000) / 5000.0 - 0.1);
        }

        return image;
    }

    private static OnnxModel Load() => OnnxModelLoader.Load(Path.Combine(TestNeeds.ThirdPartyModels, "ch_PP-OCRv4_det_infer.onnx"));
}

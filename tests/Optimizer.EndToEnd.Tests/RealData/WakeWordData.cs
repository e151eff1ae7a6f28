using Optimizer.Tests.Shared;
namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>
/// Calibration data for ../shared/data/models/hello_deepa.onnx, whose batch is fixed at 1
/// (input <c>onnx::Flatten_0</c> [1, 25, 96]): 8 samples in one <c>.npz</c> array [8, 25, 96].
/// SYNTHETIC: openWakeWord heads read 25 frames of a speech-embedding model's 96-value output; these
/// are derived deterministically (smoothly varying per-frame features plus seeded noise, in the small
/// positive-and-negative range such embeddings have), not computed from audio.
/// </summary>
internal static class WakeWordData
{
    public const string ModelFile = "hello_deepa.onnx";
    public const string InputName = "onnx::Flatten_0";
    public const int Frames = 25;
    public const int Features = 96;

    public static float[] Samples(int count)
    {
        var random = new Random(96);
        var values = new float[count * Frames * Features];
        for (var s = 0; s < count; s++)
            for (var frame = 0; frame < Frames; frame++)
                for (var f = 0; f < Features; f++)
                {
                    var smooth = Math.Sin(0.37 * f + 0.21 * frame * (1 + s % 3) + s) * Math.Cos(0.05 * f * (s + 1));
                    values[(s * Frames + frame) * Features + f] = (float)(0.6 * smooth + 0.15 * (random.NextDouble() * 2 - 1));
                }

        return values;
    }

    public static void WriteNpz(string path, int count) =>
        new NpzWriter().Floats(InputName, [count, Frames, Features], Samples(count)).WriteTo(path);
}

using DigitsAot;
using Optimizer.Runtime;

// Scores the digits MLP on the 450 test images on each execution path the app can take here:
// ONNX Runtime (needs libonnxruntime next to the app) and the compiled C# kernels (need nothing).
// Published with NativeAOT and libonnxruntime.so removed, only the compiled path runs, with the
// same accuracy as the ONNX Runtime path has under `dotnet run`.
var folder = Path.Combine(AppContext.BaseDirectory, "Data");
var pixels = ReadFloats(Path.Combine(folder, "digits_test_x_450x64.f32"));
var labels = File.ReadAllBytes(Path.Combine(folder, "digits_test_y_450.u8"));
var images = new ModelTensor<float>(pixels, labels.Length, 1, 8, 8);

using (var model = new DigitClassifier())
{
    Console.WriteLine($"default path: {model.ExecutionPath}{(model.FallbackReason is { } why ? $" (fallback: {why})" : "")}");
}

foreach (var path in new[] { ExecutionPathKind.OnnxRuntime, ExecutionPathKind.Compiled })
{
    DigitClassifier model;
    try
    {
        model = new DigitClassifier(new ModelOptions { Path = path, AllowFallback = false });
    }
    catch (InvalidOperationException e)
    {
        Console.WriteLine($"{path}: not available: {e.Message}");
        continue;
    }

    using (model)
    {
        var predicted = model.Run(new DigitClassifier.Input(images)).Logits.ArgMaxLastAxis();
        var correct = predicted.Where((digit, i) => digit == labels[i]).Count();
        Console.WriteLine($"{path}: top-1 {100.0 * correct / labels.Length:0.00}% on {labels.Length} images via {model.ExecutionPath}");
        Console.WriteLine($"{path}: {MedianMicroseconds(model, images):0.0} µs per batch of {labels.Length} (median of 200 runs)");
    }
}

// A rough figure to compare the JIT with NativeAOT on one machine (not a benchmark: see onnx-opt bench).
// One second of warm-up first, so the JIT has compiled the kernels at full optimization.
static double MedianMicroseconds(DigitClassifier model, ModelTensor<float> images)
{
    var input = new DigitClassifier.Input(images);
    for (var warm = System.Diagnostics.Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 1;)
    {
        model.Run(input);
    }

    var times = new double[200];
    for (var i = 0; i < times.Length; i++)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        model.Run(input);
        if (i >= 0) times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    Array.Sort(times);
    return times[times.Length / 2];
}

static float[] ReadFloats(string file)
{
    var bytes = File.ReadAllBytes(file);
    var values = new float[bytes.Length / sizeof(float)];
    Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
    return values;
}

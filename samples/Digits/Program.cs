using System.Diagnostics;
using Digits;
using Optimizer.Runtime;

// Scores the original fp32 model and the build-optimized INT8 model on the 450 test images,
// one image per call (the latency an app classifying single inputs sees).
var data = DigitsData.Load(Path.Combine(AppContext.BaseDirectory, "Data"));

using var fp32 = new DigitClassifierFp32();
using var int8 = new DigitClassifier();

var fp32Score = Score(data, image => fp32.Run(new DigitClassifierFp32.Input(image)).Logits.ArgMax());
var int8Score = Score(data, image => int8.Run(new DigitClassifier.Input(image)).Logits.ArgMax());

long originalBytes = new FileInfo(Path.Combine(AppContext.BaseDirectory, "Models", "digits_mlp.onnx")).Length;
long optimizedBytes = EmbeddedModelSize(typeof(DigitClassifier), DigitClassifier.Metadata);
Console.WriteLine($"digits test images: {data.Count}");
Console.WriteLine($"{"model",-14} {"top-1",8} {"size",12} {"latency/image (median of 7 passes)",15}");
Print("fp32 original", fp32Score, originalBytes);
Print("int8 dynamic", int8Score, optimizedBytes);
Console.WriteLine($"accuracy change: {(int8Score.Accuracy - fp32Score.Accuracy) * 100:+0.00;-0.00;0.00} pp, " +
                  $"size: {100.0 * optimizedBytes / originalBytes:0.0}% of the original");

// The optimized model is the embedded resource the generated class loads.
static long EmbeddedModelSize(Type model, ModelMetadata metadata)
{
    using var stream = model.Assembly.GetManifestResourceStream(metadata.ResourceName)
        ?? throw new InvalidOperationException($"resource {metadata.ResourceName} is missing");
    return stream.Length;
}

static void Print(string name, (double Accuracy, double MicrosecondsPerImage) score, long bytes) =>
    Console.WriteLine($"{name,-14} {score.Accuracy * 100,7:0.00}% {bytes,10:N0} B {score.MicrosecondsPerImage,12:0.0} µs");

static (double Accuracy, double MicrosecondsPerImage) Score(DigitsData data, Func<ModelTensor<float>, int> classify)
{
    var images = Enumerable.Range(0, data.Count)
        .Select(i => new ModelTensor<float>(data.Image(i), 1, 1, 8, 8)).ToArray();
    for (var i = 0; i < 50; i++) classify(images[i % images.Length]);   // warm-up

    var correct = 0;
    for (var i = 0; i < images.Length; i++)
        if (classify(images[i]) == data.Labels[i]) correct++;

    // Median of several timed passes over all images: one pass on a shared machine is noisy.
    var passes = new double[7];
    for (var pass = 0; pass < passes.Length; pass++)
    {
        var clock = Stopwatch.StartNew();
        foreach (var image in images) classify(image);
        passes[pass] = clock.Elapsed.TotalMicroseconds / images.Length;
    }
    Array.Sort(passes);
    return ((double)correct / images.Length, passes[passes.Length / 2]);
}

using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Optimizer.Engine.Calibration;
using Optimizer.Engine.DataFiles;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Benchmarks;

/// <summary>The real digits models of ../shared/data/models.</summary>
public enum DigitsModel
{
    /// <summary>digits_mlp.onnx: MLP 64-128-128-10.</summary>
    Mlp,

    /// <summary>digits_cnn.onnx: Conv-Relu-MaxPool ×2, Gemm.</summary>
    Cnn,
}

/// <summary>The pass declarations the closing table compares, as a user would write them.</summary>
public enum DigitsVariant
{
    Fp32,
    DynamicInt8,
    StaticInt8,
    PrunedStaticInt8,
    ChannelPruned,
    Float16,
    Int4,
}

/// <summary>
/// Each digits model under each declaration, built once by our own pipeline with the training
/// images as calibration data, plus its size and top-1 accuracy on the 450 test images: the
/// closing table's size and accuracy columns come from here, its latency ratios from
/// <see cref="DigitsBenchmarks"/>.
/// </summary>
public static class DigitsVariants
{
    private const string CalibrationKey = "digits_train";
    private static readonly ConcurrentDictionary<(DigitsModel, DigitsVariant), Lazy<byte[]>> Cache = new();

    /// <summary>../shared/data, or null when this checkout has none beside it.</summary>
    public static string? DataFolder => Optimizer.Tests.Shared.RepositoryLayout.SharedFolder("data");

    public static byte[] Get(DigitsModel model, DigitsVariant variant) =>
        Cache.GetOrAdd((model, variant), key => new Lazy<byte[]>(() => Build(key.Item1, key.Item2))).Value;

    public static float[] TestImages(int count) =>
        ReadFloats(Path.Combine(Data, "digits", "digits_test_x_450x64.f32")).AsSpan(0, count * 64).ToArray();

    /// <summary>Top-1 accuracy on the 450 test images.</summary>
    public static double Accuracy(byte[] model)
    {
        var labels = File.ReadAllBytes(Path.Combine(Data, "digits", "digits_test_y_450.u8"));
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(),
            new DenseTensor<float>(TestImages(labels.Length), [labels.Length, 1, 8, 8]))]);
        var logits = results.First().AsEnumerable<float>().ToArray();
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = logits.AsSpan(i * 10, 10);
            correct += row.IndexOf(MaxOf(row)) == labels[i] ? 1 : 0;
        }
        return (double)correct / labels.Length;
    }

    private static string Data => DataFolder ?? throw new InvalidOperationException("../shared/data is absent: the digits benchmarks need it.");

    private static byte[] Build(DigitsModel model, DigitsVariant variant)
    {
        var fp32 = OnnxModelLoader.Load(Path.Combine(Data, "models", model == DigitsModel.Mlp ? "digits_mlp.onnx" : "digits_cnn.onnx"));
        if (variant == DigitsVariant.Fp32) return OnnxModelWriter.ToBytes(fp32);
        var context = new PassContext
        {
            CalibrationData = new Dictionary<string, SampleSet>
            {
                [CalibrationKey] = FloatInputSamples.From(fp32, RawFloat32Parser.Parse(File.ReadAllBytes(Path.Combine(Data, "digits", "digits_train_x_1347x64.f32")), [1347, 1, 8, 8]), "digits training images"),
            },
            Executor = new OnnxRuntimeModelExecutor(),
        };
        return OnnxModelWriter.ToBytes(PassPipeline.Run(fp32, Requests(variant), context).Model);
    }

    private static PassRequest[] Requests(DigitsVariant variant)
    {
        var staticInt8 = Request("Quantize", ("Mode", "StaticInt8"), ("Calibration", CalibrationKey));
        return variant switch
        {
            DigitsVariant.DynamicInt8 => [Request("Quantize", ("Mode", "DynamicInt8"))],
            DigitsVariant.StaticInt8 => [staticInt8],
            DigitsVariant.PrunedStaticInt8 => [Request("Prune", ("Sparsity", "0.5"), ("Scope", "Global")), staticInt8],
            DigitsVariant.ChannelPruned => [Request("Prune", ("Sparsity", "0.5"), ("Structure", "Channel"))],
            DigitsVariant.Float16 => [Request("Quantize", ("Mode", "Float16"))],
            DigitsVariant.Int4 => [Request("Quantize", ("Mode", "Int4"))],
            _ => [],
        };
    }

    private static PassRequest Request(string pass, params (string Key, string Value)[] options) =>
        new(pass, options.ToDictionary(o => o.Key, o => o.Value));

    private static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }

    private static float MaxOf(ReadOnlySpan<float> row)
    {
        var max = float.NegativeInfinity;
        foreach (var v in row) max = Math.Max(max, v);
        return max;
    }
}

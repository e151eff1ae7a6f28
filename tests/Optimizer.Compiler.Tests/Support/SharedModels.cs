using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Engine.Calibration;
using Optimizer.Engine.DataFiles;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Tests.Shared;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>The real models of ../shared/data/models, their INT8 forms built by our passes, the digits test images and ONNX Runtime runs.</summary>
internal static class SharedModels
{
    private static readonly ConcurrentDictionary<string, Lazy<OnnxModel>> Cache = new();

    public static string Data => RepositoryLayout.RequiredShared("data");

    /// <summary>A model by file name, or with a suffix: "digits_cnn.onnx#static-int8" / "#dynamic-int8".</summary>
    public static OnnxModel Load(string key) => Cache.GetOrAdd(key, k => new Lazy<OnnxModel>(() => Build(k))).Value.Clone();

    public static float[] DigitsImages(int count) => Floats(File.ReadAllBytes(Path.Combine(Data, "digits", "digits_test_x_450x64.f32"))).AsSpan(0, count * 64).ToArray();

    public static byte[] DigitsLabels() => File.ReadAllBytes(Path.Combine(Data, "digits", "digits_test_y_450.u8"));

    public static float[] Floats(byte[] bytes)
    {
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }

    /// <summary>Deterministic inputs in [-1, 1) for a model's float inputs, with the symbolic dimension set to <paramref name="batch"/>.</summary>
    public static (string Name, float[] Values, long[] Shape)[] SyntheticInputs(OnnxModel model, int batch) =>
        model.Graph.Inputs.Select((input, index) =>
        {
            var shape = input.Type!.Shape!.Select(d => d.Size ?? batch).ToArray();
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var random = new Random(17 + index);
            return (input.Name, Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), shape);
        }).ToArray();

    /// <summary>Runs the model in ONNX Runtime (CPU, one thread); returns every output as floats.</summary>
    public static float[][] RunOrt(OnnxModel model, params (string Name, float[] Values, long[] Shape)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Values, i.Shape)).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, session.OutputNames);
            return outputs.Select(o => o.GetTensorDataAsSpan<float>().ToArray()).ToArray();
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    private static OnnxModel Build(string key)
    {
        var parts = key.Split('#');
        var model = OnnxModelLoader.Load(Path.Combine(Data, "models", parts[0]));
        if (parts.Length == 1)
        {
            return model;
        }

        var context = new PassContext
        {
            CalibrationData = new Dictionary<string, SampleSet>
            {
                ["digits_train"] = FloatInputSamples.From(model, RawFloat32Parser.Parse(File.ReadAllBytes(Path.Combine(Data, "digits", "digits_train_x_1347x64.f32")), [1347, 1, 8, 8]), "digits training images"),
            },
            Executor = new OnnxRuntimeModelExecutor(),
        };
        var options = parts[1] switch
        {
            "static-int8" => new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "digits_train" },
            "dynamic-int8" => new Dictionary<string, string> { ["Mode"] = "DynamicInt8" },
            _ => throw new ArgumentException(key),
        };
        return PassPipeline.Run(model, [new PassRequest("Quantize", options)], context).Model;
    }
}

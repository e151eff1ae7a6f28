using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Tests.Shared;

namespace Optimizer.Benchmarks;

/// <summary>
/// Issue 13's latency figures: the real BERT-family encoder in ../shared/data
/// (arctic_embed_xs) in fp32 (the baseline of the Ratio column) against our Quantize modes, at
/// batch 1 and 16 or 128 tokens of real sentences (the end-to-end tests' validation fixtures,
/// tokenized with BertTokenizer over the model's vocabulary). Same SessionOptions for every variant
/// (<see cref="ModelVariants.CreateSessionOptions"/>: 1 intra-op thread, ORT_ENABLE_ALL).
/// Run: <c>dotnet run -c Release --project tests/Optimizer.Benchmarks -- --filter '*Encoder*' --no-info</c>.
/// </summary>
public class EncoderBenchmarks
{
    private const string ModelFile = "arctic_embed_xs.onnx";
    private const string CalibrationKey = "calibration";
    private static readonly Dictionary<string, byte[]> Variants = new();
    private readonly Dictionary<string, EncoderRunner> _runners = new();

    /// <summary>Tokens per sentence: a short query and a paragraph.</summary>
    [Params(16, 128)]
    public int SequenceLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var ids = RealTokenIds(SequenceLength);
        foreach (var (name, bytes) in BuildVariants())
        {
            _runners[name] = new EncoderRunner(bytes, ids);
            _runners[name].Run(); // a variant that cannot run is a broken benchmark, not a fast one
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var runner in _runners.Values)
        {
            runner.Dispose();
        }

        _runners.Clear();
    }

    [Benchmark(Baseline = true)]
    public void Fp32() => _runners[nameof(Fp32)].Run();

    /// <summary>The default: per-row activation scales, int8 embedding tables.</summary>
    [Benchmark]
    public void DynamicInt8() => _runners[nameof(DynamicInt8)].Run();

    /// <summary>One activation scale per tensor (ONNX Runtime's quantize_dynamic form), int8 tables.</summary>
    [Benchmark]
    public void DynamicInt8PerTensor() => _runners[nameof(DynamicInt8PerTensor)].Run();

    /// <summary>Calibrated on the 64 calibration fixture sentences: constant activation scales on the MatMul inputs.</summary>
    [Benchmark]
    public void StaticInt8() => _runners[nameof(StaticInt8)].Run();

    [Benchmark]
    public void Int4() => _runners[nameof(Int4)].Run();

    private static Dictionary<string, byte[]> BuildVariants()
    {
        lock (Variants)
        {
            if (Variants.Count > 0)
            {
                return Variants;
            }

            var path = Path.Combine(RepositoryLayout.RequiredShared("data"), "models", ModelFile);
            var built = new Dictionary<string, byte[]> { [nameof(Fp32)] = File.ReadAllBytes(path) };
            (string Name, Dictionary<string, string> Options)[] quantized =
            [
                (nameof(DynamicInt8), new() { ["Mode"] = "DynamicInt8" }),
                (nameof(DynamicInt8PerTensor), new() { ["Mode"] = "DynamicInt8", ["ActivationScales"] = "PerTensor" }),
                (nameof(Int4), new() { ["Mode"] = "Int4" }),
                (nameof(StaticInt8), new() { ["Mode"] = "StaticInt8", ["Calibration"] = CalibrationKey }),
            ];
            var context = new PassContext
            {
                CalibrationData = new Dictionary<string, SampleSet> { [CalibrationKey] = CalibrationSentences(64) },
                Executor = new OnnxRuntimeModelExecutor(),
            };
            foreach (var (name, options) in quantized)
            {
                var result = PassPipeline.Run(OnnxModelLoader.Load(path), [new PassRequest("Quantize", options)], context);
                built[name] = OnnxModelWriter.ToBytes(result.Model);
                Console.WriteLine($"// {name}: {built[name].Length / 1048576.0:F1} MiB ({built[name].Length * 100.0 / built[nameof(Fp32)].Length:F1}% of fp32); {result.Reports.Single(r => r.Pass == "Quantize").Summary}");
            }

            // Filled only once every variant is built: a failed build is not half-remembered.
            foreach (var (name, bytes) in built)
            {
                Variants[name] = bytes;
            }

            return Variants;
        }
    }

    /// <summary>Real sentences' ids, concatenated and cut to <paramref name="length"/> ([CLS] first, [SEP] last).</summary>
    private static long[] RealTokenIds(int length)
    {
        var tokenizer = Tokenizer();
        var words = Fixture("validation_sentences.txt").SelectMany(line => tokenizer.EncodeToIds(line, addSpecialTokens: false)).Take(length - 2);
        long[] ids = [tokenizer.ClassificationTokenId, .. words.Select(id => (long)id), tokenizer.SeparatorTokenId];
        return ids.Length == length ? ids : throw new InvalidOperationException($"the fixtures hold fewer than {length} tokens");
    }

    /// <summary>The calibration fixture sentences, each its own sample, padded with [PAD] (mask 0) to <paramref name="length"/> tokens.</summary>
    private static StackedSamples CalibrationSentences(int length)
    {
        var tokenizer = Tokenizer();
        var sentences = Fixture("calibration_sentences.txt").Select(line => tokenizer.EncodeToIds(line).Take(length).ToArray()).ToArray();
        var ids = new long[sentences.Length * length];
        var mask = new long[ids.Length];
        for (var s = 0; s < sentences.Length; s++)
        {
            for (var t = 0; t < sentences[s].Length; t++)
            {
                (ids[s * length + t], mask[s * length + t]) = (sentences[s][t], 1);
            }
        }

        long[] shape = [sentences.Length, length];
        return new StackedSamples(
        [
            new StackedInput("input_ids", DataTensor.FromInt64(ids, shape), RowIsWholeInput: false),
            new StackedInput("attention_mask", DataTensor.FromInt64(mask, shape), RowIsWholeInput: false),
            new StackedInput("token_type_ids", DataTensor.FromInt64(new long[ids.Length], shape), RowIsWholeInput: false),
        ], batchable: true) { Source = $"{sentences.Length} calibration sentences" };
    }

    private static BertTokenizer Tokenizer() => BertTokenizer.Create(
        Path.Combine(RepositoryLayout.RequiredShared("data"), "models", "arctic_embed_xs.vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });

    private static string[] Fixture(string name) =>
        File.ReadAllLines(Path.Combine(RepositoryLayout.RequiredRoot, "tests", "Optimizer.EndToEnd.Tests", "RealData", "Fixtures", name)).Where(line => line.Trim().Length > 0).ToArray();

    private sealed class EncoderRunner : IDisposable
    {
        private readonly SessionOptions _options = ModelVariants.CreateSessionOptions();
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly OrtValue[] _inputs;
        private readonly OrtValue[] _outputs;
        private readonly string[] _inputNames = ["input_ids", "attention_mask", "token_type_ids"];
        private readonly string[] _outputNames;

        public EncoderRunner(byte[] model, long[] ids)
        {
            _session = new InferenceSession(model, _options);
            long[] shape = [1, ids.Length];
            _inputs =
            [
                OrtValue.CreateTensorValueFromMemory((long[])ids.Clone(), shape),
                OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape),
                OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape),
            ];
            _outputNames = [_session.OutputNames[0]];
            _outputs = [OrtValue.CreateTensorValueFromMemory(new float[ids.Length * 384], [1, ids.Length, 384])];
        }

        public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

        public void Dispose()
        {
            foreach (var value in _inputs.Concat(_outputs))
            {
                value.Dispose();
            }

            _session.Dispose();
            _runOptions.Dispose();
            _options.Dispose();
        }
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// Issue 12 on a real BERT-family encoder (arctic_embed_xs: int64 input_ids, attention_mask and
/// token_type_ids [batch_size, sequence_length] → last_hidden_state [b, s, 384]) through a real
/// `dotnet build`, with data tokenized from real sentences (<see cref="ArcticEncoderData"/>): static
/// INT8 calibrated from an .npz holds a cosine budget and keeps most MatMuls quantized; 50% pruning
/// under a 0.99 cosine budget fails the build; the speed gate keeps fp32 for a Float16 encoder that is
/// not faster at the data's sequence length; DynamicInt8 meets issue 13's size, fidelity and
/// batch-independence figures. Each build of the encoder takes tens of seconds.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class ArcticEncoderAppTests(PackedPackages packages, ITestOutputHelper output)
{
    // Runs the StaticInt8 encoder on the ids given as arguments; prints the output's shape, then its mean-pooled embedding.
    private const string EncoderProgram = """
        using System.Globalization;
        using Optimizer.Runtime;

        var ids = args.Select(long.Parse).ToArray();
        using var encoder = new EncoderApp.Encoder();
        var output = encoder.Run(new EncoderApp.Encoder.Input(
            new ModelTensor<long>(ids, 1, ids.Length),
            new ModelTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), 1, ids.Length),
            new ModelTensor<long>(new long[ids.Length], 1, ids.Length)));
        var hidden = output.LastHiddenState;
        Console.WriteLine("shape " + string.Join(" ", hidden.GetShape()));
        var size = hidden.Shape[2];
        var pooled = new double[size];
        for (var t = 0; t < ids.Length; t++)
            for (var h = 0; h < size; h++) pooled[h] += hidden.Span[t * size + h] / (double)ids.Length;
        Console.WriteLine("pooled " + string.Join(" ", pooled.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

        namespace EncoderApp
        {
            [OnnxModel("Models/arctic_embed_xs.onnx")]
            // MinMax ranges: on this encoder Entropy's clipped ranges give a pooled cosine of about 0.96.
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/calibration.npz", CalibrationMethod = CalibrationMethod.MinMax)]
            [AccuracyBudget(MinCosine = 0.98, Validation = "Data/validation.npz")]
            public partial class Encoder;
        }
        """;

    private const string ProbeSentence = "The weather in the mountains changed quickly, so the hikers turned back before noon.";

    [ConditionalFact("data/models")]
    public void Static_int8_calibrated_from_tokenized_sentences_holds_a_cosine_budget_and_runs_in_the_app()
    {
        using var app = EncoderApp("EncoderApp", EncoderProgram);

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build");

        // The summary line carries the pooled (sentence-embedding) cosine the budget was checked against.
        var summary = build.SummaryLine(ArcticEncoderData.ModelFile, "quantize StaticInt8");
        var pooled = Regex.Match(summary, @"last_hidden_state pooled cos(?:ine)? min (\d\.\d+)");
        Assert.True(pooled.Success, "no pooled cosine in the summary line: " + summary);
        Assert.InRange(double.Parse(pooled.Groups[1].Value, CultureInfo.InvariantCulture), 0.98, 1.0);
        Assert.Contains("validation", summary, StringComparison.OrdinalIgnoreCase); // measured on the declared validation data, not generated inputs

        // Most MatMuls are quantized (the report's layer table; attention's two activation×activation MatMuls per layer may stay float).
        var matMuls = ReportLayer.Read(app.MarkdownReport())
            .Where(layer => layer.Op.StartsWith("MatMul", StringComparison.Ordinal)).ToList();
        var quantized = matMuls.Count(layer => layer.Quantized);
        output.WriteLine($"{quantized} of {matMuls.Count} MatMuls quantized");
        Assert.True(matMuls.Count >= 36, $"the encoder has 48 MatMuls; the report lists {matMuls.Count}");
        Assert.True(quantized * 2 > matMuls.Count, $"only {quantized} of {matMuls.Count} MatMuls quantized");
        Assert.Contains("QuantizeLinear", app.OptimizedModelText());

        // The generated class runs a tokenized sentence: 384 values per token, close to the original's embedding.
        var ids = ArcticEncoderData.Tokenize(ProbeSentence);
        var run = app.Run(string.Join(" ", ids)).AssertSucceeded("the built app");
        output.WriteLine(run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal($"shape 1 {ids.Count} {ArcticEncoderData.HiddenSize}", lines.Single(line => line.StartsWith("shape ", StringComparison.Ordinal)));
        var appEmbedding = lines.Single(line => line.StartsWith("pooled ", StringComparison.Ordinal)).Split(' ').Skip(1)
            .Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToList();
        var reference = EncoderReference.MeanPooled(
            EncoderReference.LastHiddenState(Path.Combine(app.Directory, "Models", ArcticEncoderData.ModelFile), ids), ArcticEncoderData.HiddenSize);
        var cosine = EncoderReference.Cosine(appEmbedding, reference);
        output.WriteLine($"app int8 vs ORT fp32 sentence embedding cosine {cosine:0.0000}");
        Assert.InRange(cosine, 0.98, 1.0);
    }

    /// <summary>
    /// Issue 13's figures for DynamicInt8 on the real encoder, measured on the model the build embedded:
    /// at most 26% of the fp32 file; every validation sentence's embedding (alone, unpadded) at cosine
    /// ≥ 0.99 to fp32's; the ranking of all sentence-pair similarities kept (Spearman ≥ 0.99); and in a
    /// padded batch of 8 each sentence gets the embedding it gets alone (cosine ≥ 0.9999: per-row
    /// activation scales).
    /// </summary>
    [ConditionalFact("data/models")]
    public void Dynamic_int8_encoder_is_a_quarter_of_the_file_faithful_and_independent_of_its_batch()
    {
        using var app = EncoderApp("EncoderDynamicApp", """
            using Optimizer.Runtime;

            Console.WriteLine("built");

            [OnnxModel("Models/arctic_embed_xs.onnx")]
            [Quantize(QuantizationMode.DynamicInt8)]
            [AccuracyBudget(MinCosine = 0.99, Validation = "Data/validation.npz")]
            public partial class DynamicEncoder;
            """);

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build");
        output.WriteLine(build.SummaryLine(ArcticEncoderData.ModelFile, "quantize DynamicInt8"));
        var fp32 = Path.Combine(app.Directory, "Models", ArcticEncoderData.ModelFile);
        var int8 = Assert.Single(Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx", SearchOption.AllDirectories));
        var sizeRatio = new FileInfo(int8).Length / (double)new FileInfo(fp32).Length;
        output.WriteLine($"file {sizeRatio:P1} of fp32");
        Assert.True(sizeRatio <= 0.26, $"the DynamicInt8 file is {sizeRatio:P1} of fp32; the embedding tables should be int8");

        var sentences = ArcticEncoderData.ValidationSentences.Select(ArcticEncoderData.Tokenize).ToList();
        double[] Alone(string model, IReadOnlyList<int> ids) => EncoderReference.MeanPooled(EncoderReference.LastHiddenState(model, ids), ArcticEncoderData.HiddenSize);
        var reference = sentences.Select(ids => Alone(fp32, ids)).ToList();
        var quantized = sentences.Select(ids => Alone(int8, ids)).ToList();
        var cosines = reference.Zip(quantized, EncoderReference.Cosine).ToList();
        output.WriteLine($"pooled cosine to fp32 over {sentences.Count} sentences: min {cosines.Min():F4}, mean {cosines.Average():F4}");
        Assert.True(cosines.Min() >= 0.99, $"pooled cosine min {cosines.Min():F4} < 0.99");

        var pairs = Enumerable.Range(0, sentences.Count).SelectMany(i => Enumerable.Range(i + 1, sentences.Count - i - 1).Select(j => (i, j))).ToList();
        var spearman = SpearmanCorrelation(
            pairs.Select(p => EncoderReference.Cosine(reference[p.i], reference[p.j])).ToList(),
            pairs.Select(p => EncoderReference.Cosine(quantized[p.i], quantized[p.j])).ToList());
        output.WriteLine($"Spearman of {pairs.Count} pair similarities, int8 vs fp32: {spearman:F4}");
        Assert.True(spearman >= 0.99, $"pair-similarity ranking Spearman {spearman:F4} < 0.99");

        var batch = sentences.Take(8).ToList();
        var batched = EncoderReference.PooledBatch(int8, batch, ArcticEncoderData.HiddenSize);
        var batchCosines = batched.Select((row, i) => EncoderReference.Cosine(row, quantized[i])).ToList();
        output.WriteLine($"padded batch of 8 vs alone: cosine min {batchCosines.Min():F6}");
        Assert.True(batchCosines.Min() >= 0.9999, $"a sentence's embedding changed with its batch-mates: cosine {batchCosines.Min():F6}");
    }

    private static double SpearmanCorrelation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        static double[] Ranks(IReadOnlyList<double> values)
        {
            var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
            var ranks = new double[values.Count];
            for (var r = 0; r < order.Length; r++) ranks[order[r]] = r;
            return ranks;
        }

        var (ra, rb) = (Ranks(a), Ranks(b));
        var mean = (a.Count - 1) / 2.0;
        double cov = 0, va = 0, vb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            cov += (ra[i] - mean) * (rb[i] - mean);
            va += (ra[i] - mean) * (ra[i] - mean);
            vb += (rb[i] - mean) * (rb[i] - mean);
        }

        return cov / Math.Sqrt(va * vb);
    }

    [ConditionalFact("data/models")]
    public void Half_pruning_under_a_099_cosine_budget_fails_the_build_with_a_coded_error_naming_cosine()
    {
        using var app = EncoderApp("EncoderPruneApp", """
            using Optimizer.Runtime;

            Console.WriteLine("built");

            [OnnxModel("Models/arctic_embed_xs.onnx")]
            [Prune(Sparsity = 0.5)]
            [AccuracyBudget(MinCosine = 0.99, Validation = "Data/validation.npz")]
            public partial class PrunedEncoder;
            """);

        var build = app.BuildLogged(output);

        Assert.NotEqual(0, build.ExitCode);
        var error = build.Output.Split('\n').FirstOrDefault(line => Regex.IsMatch(line, @"error OPT\d{4}:") && line.Contains("cosine"));
        Assert.True(error is not null, "no coded error naming cosine in the build output");
        Assert.Matches(@"Program\.cs\(\d+,\d+\): error OPT\d{4}: .*arctic_embed_xs\.onnx", error);
        Assert.Empty(Directory.Exists(app.OptimizerOutputDirectory) ? Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx") : []);
    }

    /// <summary>
    /// Float16 on ONNX Runtime's CPU provider runs through Cast nodes and is slower than fp32 (1.08× at
    /// 64 tokens on the development machine, AMD EPYC Zen 4 class, ONNX Runtime 1.31.1, 1 thread), so it
    /// is the mode the gate must reject (it keeps a quantized model only at ≤ 0.95× fp32). Int4 was this
    /// test's mode until issue 13 made it faster (MatMulNBits with int8 compute). Timed at the
    /// validation data's sequence length (64).
    /// </summary>
    [ConditionalFact("data/models")]
    public void Speed_gate_keeps_fp32_when_float16_is_not_faster_at_the_datas_sequence_length()
    {
        using var app = EncoderApp("EncoderSpeedGateApp", """
            using Optimizer.Runtime;

            Console.WriteLine("built");

            [OnnxModel("Models/arctic_embed_xs.onnx")]
            [Quantize(QuantizationMode.Float16, RequireSpeedup = true)]
            [AccuracyBudget(MinCosine = 0.9, Validation = "Data/validation.npz")]
            public partial class HalfEncoder;
            """);

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build");

        var warning = build.Output.Split('\n').FirstOrDefault(line => line.Contains("warning OPT1064"));
        Assert.True(warning is not null, "Float16 was kept: " + build.SummaryLine(ArcticEncoderData.ModelFile, "quantize Float16"));
        Assert.Contains("Program.cs", warning);
        Assert.Contains("arctic_embed_xs.onnx", warning);
        var timed = Regex.Match(warning, @"Timed at (.*)");
        Assert.True(timed.Success, "the warning does not say which shapes were timed: " + warning);
        Assert.Matches(@"\b64\b", timed.Groups[1].Value); // the validation data's sequence length, not a default

        // The embedded model is the fp32 one: the size of the original, not half of it.
        var embedded = Assert.Single(Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx", SearchOption.AllDirectories));
        Assert.True(new FileInfo(embedded).Length > 0.9 * new FileInfo(Path.Combine(app.Directory, "Models", ArcticEncoderData.ModelFile)).Length, "the Float16 model was embedded");
    }

    // Runs the fp32 encoder on the compiled kernels (the generated schedule, no ONNX Runtime) for each
    // sentence given as a line of ids: prints the path, then each sentence's shape and pooled embedding.
    private const string CompiledEncoderProgram = """
        using System.Globalization;
        using Optimizer.Runtime;

        using var encoder = new CompiledApp.Encoder(new ModelOptions { Path = ExecutionPathKind.Compiled });
        Console.WriteLine("path " + encoder.ExecutionPath);
        foreach (var line in File.ReadAllLines(args[0]))
        {
            var ids = line.Split(' ').Select(long.Parse).ToArray();
            var output = encoder.Run(new CompiledApp.Encoder.Input(
                new ModelTensor<long>(ids, 1, ids.Length),
                new ModelTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), 1, ids.Length),
                new ModelTensor<long>(new long[ids.Length], 1, ids.Length)));
            var hidden = output.LastHiddenState;
            var size = hidden.Shape[2];
            var pooled = new double[size];
            for (var t = 0; t < ids.Length; t++)
                for (var h = 0; h < size; h++) pooled[h] += hidden.Span[t * size + h] / (double)ids.Length;
            Console.WriteLine("shape " + string.Join(" ", hidden.GetShape()) + " pooled " + string.Join(" ", pooled.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }

        namespace CompiledApp
        {
            [OnnxModel("Models/arctic_embed_xs.onnx")]
            public partial class Encoder;
        }
        """;

    /// <summary>
    /// Issue 14 through the generated class: the fp32 encoder compiles with both of its symbolic
    /// dimensions, the app runs it on the generated kernel schedule (ModelOptions.Path = Compiled, no
    /// ONNX Runtime session) at three sequence lengths, and each sentence embedding matches ONNX
    /// Runtime's on the original model (cosine ≥ 0.99999).
    /// </summary>
    [ConditionalFact("data/models")]
    public void Fp32_encoder_runs_on_the_generated_kernel_schedule_at_every_sentence_length()
    {
        using var app = EncoderApp("CompiledApp", CompiledEncoderProgram);
        app.BuildLogged(output).AssertSucceeded("dotnet build");
        var sentences = new[] { "Hello.", ProbeSentence, string.Join(" ", ArcticEncoderData.ValidationSentences.Take(3)) }.Select(ArcticEncoderData.Tokenize).ToList();
        var idsFile = Path.Combine(app.Directory, "ids.txt");
        File.WriteAllLines(idsFile, sentences.Select(ids => string.Join(" ", ids)));

        var run = app.Run(idsFile).AssertSucceeded("the built app");
        output.WriteLine(run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("path Compiled(generated; ", lines.Single(line => line.StartsWith("path ", StringComparison.Ordinal)));
        var results = lines.Where(line => line.StartsWith("shape ", StringComparison.Ordinal)).ToList();
        Assert.Equal(sentences.Count, results.Count);
        var modelPath = Path.Combine(app.Directory, "Models", ArcticEncoderData.ModelFile);
        for (var i = 0; i < sentences.Count; i++)
        {
            var parts = results[i].Split(" pooled ");
            Assert.Equal($"shape 1 {sentences[i].Count} {ArcticEncoderData.HiddenSize}", parts[0]);
            var embedding = parts[1].Split(' ').Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToList();
            var reference = EncoderReference.MeanPooled(EncoderReference.LastHiddenState(modelPath, sentences[i]), ArcticEncoderData.HiddenSize);
            var cosine = EncoderReference.Cosine(embedding, reference);
            output.WriteLine($"{sentences[i].Count} tokens: compiled vs ONNX Runtime cosine {cosine:0.0000000}");
            Assert.InRange(cosine, 0.99999, 1.0 + 1e-9);
        }
    }

    /// <summary>An app with the encoder and its tokenized calibration and validation data, and the given Program.cs.</summary>
    private TestApp EncoderApp(string name, string program)
    {
        var app = new TestApp(packages, name);
        app.CopyFile(Path.Combine(RepositoryPaths.SharedData, "models", ArcticEncoderData.ModelFile), "Models/" + ArcticEncoderData.ModelFile);
        ArcticEncoderData.Encode(ArcticEncoderData.CalibrationSentences).WriteNpz(Path.Combine(app.Directory, "Data", "calibration.npz"));
        ArcticEncoderData.Encode(ArcticEncoderData.ValidationSentences).WriteNpz(Path.Combine(app.Directory, "Data", "validation.npz"));
        app.WriteFile("Program.cs", program);
        return app;
    }
}

using System.Diagnostics;
using Microsoft.ML.Tokenizers;
using Optimizer.Runtime;
using SemanticSearch;

// Semantic search over paraphrase pairs: every sentence is embedded by the original fp32 encoder and
// by the build-optimized INT8 one (one sentence per call). Each pair's first phrasing is a
// query; its answer is the second phrasing, among all of them, with the highest cosine. Recall@1 is
// the share of queries answered with their own paraphrase.
var pairs = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "pairs.tsv"))
    .Select(line => line.Split('\t')).ToArray();
var queries = pairs.Select(pair => pair[0]).ToArray();
var documents = pairs.Select(pair => pair[1]).ToArray();
var tokenizer = BertTokenizer.Create(Path.Combine(AppContext.BaseDirectory, "arctic_embed_xs.vocab.txt"),
    new BertOptions { LowerCaseBeforeTokenization = true });

using var fp32 = new EncoderFp32();
using var int8 = new Encoder();
var fp32Search = Search((ids, mask, types) => fp32.Run(new EncoderFp32.Input(ids, mask, types)).LastHiddenState);
var int8Search = Search((ids, mask, types) => int8.Run(new Encoder.Input(ids, mask, types)).LastHiddenState);

long fp32Bytes = EmbeddedModelSize(typeof(EncoderFp32), EncoderFp32.Metadata);
long int8Bytes = EmbeddedModelSize(typeof(Encoder), Encoder.Metadata);
Console.WriteLine($"{pairs.Length} paraphrase pairs: each first phrasing searches the {documents.Length} second phrasings; " +
                  "latency is per sentence, one sentence per call, median of 3 passes");
Console.WriteLine($"{"model",-14} {"recall@1",8} {"size",10} {"latency",10}");
Print("fp32 original", fp32Search, fp32Bytes);
Print("int8 dynamic", int8Search, int8Bytes);
Console.WriteLine($"int8 vs fp32: recall@1 {int8Search.Recall - fp32Search.Recall:+0.000;-0.000;0.000}, " +
                  $"size {100.0 * int8Bytes / fp32Bytes:0.0}%, latency {int8Search.Milliseconds / fp32Search.Milliseconds:0.00}×");
Console.WriteLine("some queries and the int8 model's answers:");
for (var q = 0; q < 3; q++)
    Console.WriteLine($"  \"{queries[q]}\" → \"{documents[int8Search.Answers[q]]}\"");

// Embeds every sentence with one model, answers every query, and times the embedding.
(double Recall, double Milliseconds, int[] Answers) Search(Func<ModelTensor<long>, ModelTensor<long>, ModelTensor<long>, ModelTensor<float>> encode)
{
    foreach (var sentence in queries.Take(10)) Embed(sentence, encode);   // warm-up

    // Median of three timed passes over all sentences: one pass on a busy machine is noisy.
    var passes = new double[3];
    float[][] queryVectors = [], documentVectors = [];
    for (var pass = 0; pass < passes.Length; pass++)
    {
        var clock = Stopwatch.StartNew();
        queryVectors = queries.Select(sentence => Embed(sentence, encode)).ToArray();
        documentVectors = documents.Select(sentence => Embed(sentence, encode)).ToArray();
        passes[pass] = clock.Elapsed.TotalMilliseconds / (queries.Length + documents.Length);
    }
    Array.Sort(passes);

    var answers = queryVectors.Select(query => Nearest(query, documentVectors)).ToArray();
    var recall = (double)answers.Where((answer, q) => answer == q).Count() / queries.Length;
    return (recall, passes[1], answers);
}

// One sentence → its embedding: tokenize, run the encoder, mean-pool the tokens the attention mask
// keeps, scale to unit length (so a dot product is the cosine).
float[] Embed(string sentence, Func<ModelTensor<long>, ModelTensor<long>, ModelTensor<long>, ModelTensor<float>> encode)
{
    var ids = tokenizer.EncodeToIds(sentence).Select(id => (long)id).ToArray();   // [CLS] … [SEP]
    var mask = Enumerable.Repeat(1L, ids.Length).ToArray();
    var hidden = encode(new ModelTensor<long>(ids, 1, ids.Length), new ModelTensor<long>(mask, 1, ids.Length), ModelTensor<long>.Zeros(1, ids.Length));

    var size = hidden.Shape[2];   // [1, tokens, 384]
    var kept = mask.Sum();
    var embedding = new float[size];
    for (var t = 0; t < ids.Length; t++)
        if (mask[t] == 1)
            for (var h = 0; h < size; h++) embedding[h] += hidden.Span[t * size + h] / kept;
    var norm = MathF.Sqrt(embedding.Sum(v => v * v));
    return embedding.Select(v => v / norm).ToArray();
}

// The index of the document with the highest cosine to the query.
static int Nearest(float[] query, float[][] documents) =>
    Enumerable.Range(0, documents.Length).MaxBy(d => query.Zip(documents[d], (a, b) => a * b).Sum());

// The optimized model is the embedded resource the generated class loads.
static long EmbeddedModelSize(Type model, ModelMetadata metadata)
{
    using var stream = model.Assembly.GetManifestResourceStream(metadata.ResourceName)
        ?? throw new InvalidOperationException($"resource {metadata.ResourceName} is missing");
    return stream.Length;
}

static void Print(string name, (double Recall, double Milliseconds, int[] Answers) search, long bytes) =>
    Console.WriteLine($"{name,-14} {search.Recall,8:0.000} {bytes / 1048576.0,7:0.0} MB {search.Milliseconds,7:0.00} ms");

using Microsoft.ML.Tokenizers;
using Optimizer.Tests.Shared;

namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>
/// Real data for ../shared/data/models/arctic_embed_xs.onnx: the fixture sentences (written for these
/// tests, in RealData/Fixtures) tokenized with Microsoft.ML.Tokenizers' BertTokenizer over the model's
/// own uncased WordPiece vocabulary, as an app would tokenize them. Deterministic: same files, same bytes.
/// </summary>
internal static class ArcticEncoderData
{
    public const string ModelFile = "arctic_embed_xs.onnx";
    public const string VocabFile = "arctic_embed_xs.vocab.txt";

    /// <summary>The encoder's hidden size: values per token of <c>last_hidden_state</c>.</summary>
    public const int HiddenSize = 384;

    /// <summary>64 sentences of 5–60 tokens, for calibration.</summary>
    public static IReadOnlyList<string> CalibrationSentences { get; } = Fixture("calibration_sentences.txt");

    /// <summary>24 other sentences, for validation.</summary>
    public static IReadOnlyList<string> ValidationSentences { get; } = Fixture("validation_sentences.txt");

    private static readonly Lazy<BertTokenizer> Tokenizer = new(() =>
        BertTokenizer.Create(Path.Combine(RepositoryLayout.RequiredShared("data"), "models", VocabFile), new BertOptions { LowerCaseBeforeTokenization = true }));

    /// <summary>One sentence's ids: [CLS], its WordPiece tokens, [SEP].</summary>
    public static IReadOnlyList<int> Tokenize(string sentence) => Tokenizer.Value.EncodeToIds(sentence);

    /// <summary>
    /// The sentences tokenized and padded to one length: the longest sentence rounded up to a multiple of
    /// 16, the way an app pads a batch to a few bucket lengths rather than to the model's maximum.
    /// </summary>
    public static EncodedSentences Encode(IReadOnlyList<string> sentences)
    {
        var tokenized = sentences.Select(Tokenize).ToList();
        var longest = tokenized.Max(tokens => tokens.Count);
        return EncodedSentences.Pad(tokenized, (longest + 15) / 16 * 16);
    }

    private static IReadOnlyList<string> Fixture(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "RealData", "Fixtures", name))
            .Where(line => line.Trim().Length > 0)
            .ToList();
}

using Optimizer.Tests.Shared;
namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>
/// Sentences tokenized for a BERT-family encoder and padded to one sequence length: the three
/// int64 inputs <c>input_ids</c>, <c>attention_mask</c> and <c>token_type_ids</c>, each [Count, SequenceLength],
/// row-major.
/// </summary>
internal sealed record EncodedSentences(int Count, int SequenceLength, long[] InputIds, long[] AttentionMask, long[] TokenTypeIds)
{
    public const string InputIdsName = "input_ids";
    public const string AttentionMaskName = "attention_mask";
    public const string TokenTypeIdsName = "token_type_ids";

    /// <summary>Pads each sentence's ids (already with [CLS] … [SEP]) with 0 ([PAD]) and mask 0 to <paramref name="sequenceLength"/>.</summary>
    public static EncodedSentences Pad(IReadOnlyList<IReadOnlyList<int>> tokenized, int sequenceLength)
    {
        var ids = new long[tokenized.Count * sequenceLength];
        var mask = new long[ids.Length];
        for (var row = 0; row < tokenized.Count; row++)
        {
            var tokens = tokenized[row];
            if (tokens.Count > sequenceLength)
                throw new ArgumentException($"sentence {row} has {tokens.Count} tokens, more than the sequence length {sequenceLength}");
            for (var i = 0; i < tokens.Count; i++)
            {
                ids[row * sequenceLength + i] = tokens[i];
                mask[row * sequenceLength + i] = 1;
            }
        }

        return new EncodedSentences(tokenized.Count, sequenceLength, ids, mask, new long[ids.Length]);
    }

    /// <summary>The first <paramref name="count"/> sentences.</summary>
    public EncodedSentences Take(int count) => new(count, SequenceLength,
        InputIds[..(count * SequenceLength)], AttentionMask[..(count * SequenceLength)], TokenTypeIds[..(count * SequenceLength)]);

    /// <summary>The array for the model input <paramref name="name"/> (an encoder may take only some of the three).</summary>
    public long[] Array(string name) => name switch
    {
        InputIdsName => InputIds,
        AttentionMaskName => AttentionMask,
        TokenTypeIdsName => TokenTypeIds,
        _ => throw new ArgumentException($"'{name}' is not an input sentences are encoded for", nameof(name)),
    };

    /// <summary>Writes the three arrays, named by the model's inputs, as one <c>.npz</c>.</summary>
    public void WriteNpz(string path) => new NpzWriter()
        .Int64s(InputIdsName, [Count, SequenceLength], InputIds)
        .Int64s(AttentionMaskName, [Count, SequenceLength], AttentionMask)
        .Int64s(TokenTypeIdsName, [Count, SequenceLength], TokenTypeIds)
        .WriteTo(path);
}

using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>The test-side data generators the real-model app tests build on: what they write is what the tests say.</summary>
public sealed class RealDataGenerationTests(ITestOutputHelper output)
{
    private const int Cls = 101, Sep = 102; // the uncased BERT vocabulary's [CLS] and [SEP]

    [ConditionalFact("data/models")]
    public void Fixture_sentences_tokenize_to_5_to_60_word_pieces_between_CLS_and_SEP()
    {
        var calibration = ArcticEncoderData.CalibrationSentences;
        var validation = ArcticEncoderData.ValidationSentences;
        Assert.Equal(64, calibration.Count);
        Assert.Equal(24, validation.Count);
        Assert.Empty(calibration.Intersect(validation));

        var lengths = calibration.Concat(validation).Select(ArcticEncoderData.Tokenize).Select(ids =>
        {
            Assert.Equal(Cls, ids[0]);
            Assert.Equal(Sep, ids[^1]);
            Assert.DoesNotContain(100, ids); // [UNK]: the vocabulary covers plain English
            return ids.Count - 2;
        }).ToList();
        output.WriteLine($"word pieces per sentence: min {lengths.Min()}, max {lengths.Max()}, mean {lengths.Average():0.0}");
        Assert.InRange(lengths.Min(), 5, 8);
        Assert.InRange(lengths.Max(), 40, 60);
    }

    [ConditionalFact("data/models")]
    public void Encoded_sentences_are_padded_to_a_multiple_of_16_with_a_mask_of_their_tokens()
    {
        var sentences = ArcticEncoderData.CalibrationSentences;
        var encoded = ArcticEncoderData.Encode(sentences);
        Assert.Equal(0, encoded.SequenceLength % 16);
        for (var row = 0; row < encoded.Count; row++)
        {
            var tokens = ArcticEncoderData.Tokenize(sentences[row]);
            var mask = encoded.AttentionMask.AsSpan(row * encoded.SequenceLength, encoded.SequenceLength);
            Assert.Equal(tokens.Count, mask.ToArray().Sum());
            Assert.Equal(tokens.Select(id => (long)id), encoded.InputIds.AsSpan(row * encoded.SequenceLength, tokens.Count).ToArray());
        }

        Assert.All(encoded.TokenTypeIds, id => Assert.Equal(0, id));
        var path = Path.Combine(Path.GetTempPath(), $"optimizer-e2e-npz-{Guid.NewGuid():N}.npz");
        try
        {
            encoded.WriteNpz(path);
            var first = File.ReadAllBytes(path);
            encoded.WriteNpz(path);
            Assert.Equal(first, File.ReadAllBytes(path)); // deterministic bytes
        }
        finally
        {
            File.Delete(path);
        }
    }

    [ConditionalFact("data/models")]
    public void Silero_feeds_carry_the_models_own_state_from_chunk_to_chunk()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"optimizer-e2e-silero-{Guid.NewGuid():N}");
        try
        {
            var model = Path.Combine(RepositoryPaths.SharedData, "models", SileroVadData.ModelFile);
            var probabilities = SileroVadData.WriteTestDataSets(model, folder, chunks: 12);
            output.WriteLine("speech probability per chunk: " + string.Join(" ", probabilities.Select(p => p.ToString("0.00"))));

            Assert.Equal(12, Directory.GetDirectories(folder, "test_data_set_*").Length);
            Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
            var first = Path.Combine(folder, "test_data_set_0");
            var later = Path.Combine(folder, "test_data_set_5");
            Assert.Equal(4, Directory.GetFiles(later, "input_*.pb").Length);
            // h (input_2) starts at zeros and then holds the state the model produced: its raw bytes differ.
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, "input_2.pb")), File.ReadAllBytes(Path.Combine(later, "input_2.pb")));
            Assert.True(new FileInfo(Path.Combine(later, "input_0.pb")).Length > SileroVadData.ChunkSamples * 4);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}

using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>Softmax, TopK and labels from ONNX metadata_props on the real digits MLP, on both paths.</summary>
public class ClassificationTests
{
    private static readonly string[] DigitNames = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    [ConditionalTheory("data")]
    [InlineData(ExecutionPathKind.OnnxRuntime)]
    [InlineData(ExecutionPathKind.Compiled)]
    public void Labels_from_metadata_name_the_top_classes_of_real_digits(ExecutionPathKind path)
    {
        string labels = "[" + string.Join(", ", DigitNames.Select(n => $"\"{n}\"")) + "]";
        using var model = Digits(path, new Dictionary<string, string> { ["labels"] = labels, ["author"] = "tests" });
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        byte[] truth = File.ReadAllBytes(SharedData.PathOf("digits/digits_test_y_450.u8"));

        Assert.Equal(path, model.ExecutionPath.Kind);
        Assert.Equal(DigitNames, model.Labels);
        Assert.Equal("tests", model.MetadataProps["author"]);
        int correct = 0;
        for (int i = 0; i < 50; i++)
        {
            ModelTensor<float> logits = model.Run(new ModelTensor<float>(images.AsMemory(i * 64, 64), 1, 1, 8, 8));
            ModelTensor<float> probabilities = logits.Softmax();
            Prediction[] top = probabilities.TopK(3, model.Labels);

            Assert.Equal(1f, probabilities.Span.ToArray().Sum(), 4);
            Assert.Equal(3, top.Length);
            Assert.Equal(logits.ArgMax(), top[0].Index);
            Assert.Equal(DigitNames[top[0].Index], top[0].Label);
            Assert.True(top[0].Score >= top[1].Score && top[1].Score >= top[2].Score);
            correct += top[0].Index == truth[i] ? 1 : 0;
        }

        Assert.True(correct >= 45, $"{correct} of 50 digits right");
    }

    [ConditionalFact("data")]
    public void A_model_without_labels_ranks_by_index_only()
    {
        using var model = Digits(ExecutionPathKind.OnnxRuntime, null);
        ModelTensor<float> logits = model.Run(ModelTensor<float>.Zeros(2, 1, 8, 8));

        Assert.Null(model.Labels);
        Assert.Empty(model.MetadataProps);
        Prediction[][] rows = logits.TopKPerRow(2);
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.Null(row[0].Label));
        Assert.Contains("TopKPerRow", Assert.Throws<InvalidOperationException>(() => logits.TopK(2)).Message);
        Assert.Contains("10 classes but 2 labels", Assert.Throws<ArgumentException>(() => logits.TopKPerRow(1, ["a", "b"])).Message);
    }

    [Theory]
    [InlineData("cat,dog, bird")]
    [InlineData("cat\ndog\nbird\n")]
    [InlineData("[\"cat\", \"dog\", \"bird\"]")]
    public void Labels_are_read_as_json_or_a_separated_list(string text)
    {
        IReadOnlyList<string>? labels = ModelLabels.From(new Dictionary<string, string> { ["labels"] = text });

        Assert.Equal(["cat", "dog", "bird"], labels!.Where(l => l.Length > 0));
    }

    [Fact]
    public void TopK_breaks_ties_by_index_and_prints_label_and_score()
    {
        var scores = new ModelTensor<float>([0.1f, 0.4f, 0.4f, 0.1f], 4);

        Prediction[] top = scores.TopK(3, ["a", "b", "c", "d"]);

        Assert.Equal([1, 2, 0], top.Select(p => p.Index));
        Assert.Equal("1 (b): 0.4", top[0].ToString());
    }

    [Fact]
    public void Metadata_reader_stops_quietly_at_bytes_that_are_not_a_model()
    {
        Assert.Empty(OnnxMetadataProps.Read([0x72, 0xFF, 0xFF, 0xFF]));
        Assert.Empty(OnnxMetadataProps.Read("not an onnx model"u8));
    }

    private static CompiledDigitsMlp Digits(ExecutionPathKind path, IReadOnlyDictionary<string, string>? props) =>
        CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), new ModelOptions { Path = path }, metadataProps: props);
}

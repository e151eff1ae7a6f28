using Optimizer.Engine.Benchmarking;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Tests.Benchmarking;

/// <summary>Which feeds the timing picks from a data set, and how it names them.</summary>
public sealed class TimingInputsTests
{
    [Fact]
    public void Each_distinct_shape_is_timed_once_smallest_first()
    {
        var inputs = TimingInputs.From(TimingSamples.Sentences(128, 16, 128, 16));

        Assert.Equal(["input_ids [1,16]", "input_ids [1,128]"], inputs.ShapeLabels());
        Assert.Equal("input_ids [1,16], [1,128] (4 sentences of 128, 16, 128, 16 tokens)", inputs.Describe());
        Assert.False(inputs.IsGenerated);
    }

    [Fact]
    public void More_than_three_shapes_give_the_smallest_the_median_and_the_largest()
    {
        var inputs = TimingInputs.From(TimingSamples.Sentences(64, 8, 256, 32, 16, 128));

        Assert.Equal("input_ids [1,8], [1,32], [1,256]", inputs.Shapes());
        Assert.Equal([8L, 32, 256], inputs.Feeds.Select(f => f.Inputs["attention_mask"].Shape[1]));
    }

    [Fact]
    public void Batched_data_is_timed_at_full_batches_and_the_short_last_one_is_not_a_shape()
    {
        var inputs = TimingInputs.From(TimingSamples.Digits(20), batch: 8);

        var feed = Assert.Single(inputs.Feeds);
        Assert.Equal(8, feed.SampleCount);
        Assert.Equal("input [8,1,8,8] (20 random images)", inputs.Describe());
    }

    [Fact]
    public void Inputs_whose_shapes_all_differ_are_each_named()
    {
        var data = new FeedList(["x", "h"], 2, i => new Dictionary<string, DataTensor>
        {
            ["x"] = DataTensor.FromFloats(new float[(i + 1) * 4], [1, (i + 1) * 4]),
            ["h"] = DataTensor.FromFloats(new float[(i + 1) * 2], [i + 1, 2]),
        })
        { Source = "2 feeds" };

        Assert.Equal("x [1,4] h [1,2]; x [1,8] h [2,2] (2 feeds)", TimingInputs.From(data).Describe());
    }

    [Fact]
    public void Generated_inputs_say_so_with_the_dims_used()
    {
        var data = new StackedSamples([new StackedInput("ids", DataTensor.FromInt64([5, 6, 7], [1, 3]), false)], batchable: true)
        {
            Source = "1 generated sample",
            IsGenerated = true,
        };

        var inputs = TimingInputs.From(data, generatedDims: "batch=1 (default), sequence=3");

        Assert.True(inputs.IsGenerated);
        Assert.Equal("ids [1,3] (generated inputs: batch=1 (default), sequence=3)", inputs.Describe());
    }

    [Fact]
    public void An_empty_set_cannot_be_timed()
    {
        var empty = new FeedList(["x"], 0, _ => throw new InvalidOperationException()) { Source = "nothing" };

        Assert.Contains("holds no sample", Assert.Throws<BenchmarkException>(() => TimingInputs.From(empty)).Message);
    }
}

namespace Optimizer.Runtime.Tests;

public class TensorTests
{
    [Fact]
    public void Wraps_data_without_copying_and_reports_shape()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var tensor = new ModelTensor<float>(data, 2, 3);

        data[4] = 50;

        Assert.Equal(50, tensor[1, 1]);
        Assert.Equal(new[] { 2, 3 }, tensor.Shape.ToArray());
        Assert.Equal(2, tensor.Rank);
        Assert.Equal(6, tensor.Length);
        Assert.Equal("ModelTensor<Single>[2, 3]", tensor.ToString());
    }

    [Fact]
    public void Rejects_data_whose_length_is_not_the_product_of_the_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ModelTensor<float>(new float[5], 2, 3));

        Assert.Contains("[2, 3] holds 6 elements but the data has 5", ex.Message);
    }

    [Fact]
    public void Rejects_negative_dimensions()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ModelTensor<int>(new int[0], 0, -1));

        Assert.Contains("negative", ex.Message);
    }

    [Fact]
    public void Indexer_writes_in_row_major_order_and_checks_bounds()
    {
        var tensor = ModelTensor<long>.Zeros(2, 2);

        tensor[1, 0] = 7;

        Assert.Equal(new long[] { 0, 0, 7, 0 }, tensor.Span.ToArray());
        Assert.Throws<IndexOutOfRangeException>(() => tensor[2, 0]);
        Assert.Throws<ArgumentException>(() => tensor[0]);
    }

    [Fact]
    public void Scalar_has_rank_zero_and_one_element()
    {
        var scalar = new ModelTensor<double>(new[] { 3.5 });

        Assert.Equal(0, scalar.Rank);
        Assert.Equal(3.5, scalar[[]]);
    }

    [Fact]
    public void ArgMax_picks_the_first_largest_element()
    {
        var logits = new ModelTensor<float>(new float[] { 0.1f, 3, -2, 3 }, 1, 4);

        Assert.Equal(1, logits.ArgMax());
    }

    [Fact]
    public void ArgMaxLastAxis_picks_one_class_per_row()
    {
        var logits = new ModelTensor<Half>(new[] { (Half)1, (Half)5, (Half)2, (Half)9, (Half)0, (Half)1 }, 2, 3);

        Assert.Equal(new[] { 1, 0 }, logits.ArgMaxLastAxis());
    }

    [Fact]
    public void ArgMax_of_an_empty_tensor_says_why_it_fails()
    {
        var empty = ModelTensor<float>.Zeros(0, 10);

        Assert.Throws<InvalidOperationException>(() => empty.ArgMax());
        Assert.Empty(empty.ArgMaxLastAxis());
    }
}

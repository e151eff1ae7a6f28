#pragma warning disable SYSLIB5001 // System.Numerics.Tensors 9.x: Tensor<T> is experimental
using System.Numerics.Tensors;

namespace Optimizer.Runtime.Tests;

public class ModelTensorConversionTests
{
    [Fact]
    public void Read_only_memory_is_wrapped_without_copying()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        ReadOnlyMemory<float> memory = data;

        var tensor = new ModelTensor<float>(memory[2..], 2, 2);
        data[5] = 60;

        Assert.Equal(new[] { 3f, 4f, 5f, 60f }, tensor.Span.ToArray());
        Assert.Throws<ArgumentException>(() => new ModelTensor<float>(memory, 4, 2));
    }

    [Fact]
    public void To_tensor_shares_a_whole_array_and_keeps_the_shape()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        var model = new ModelTensor<float>(data, 2, 3);

        Tensor<float> tensor = model.ToTensor();
        data[4] = 50;

        Assert.Equal(new nint[] { 2, 3 }, tensor.Lengths.ToArray());
        Assert.Equal(50f, tensor[1, 1]);
    }

    [Fact]
    public void To_tensor_copies_a_slice_of_an_array()
    {
        float[] data = [0, 1, 2, 3, 4];
        var model = new ModelTensor<float>(data.AsMemory(1), 2, 2);

        Tensor<float> tensor = model.ToTensor();
        data[1] = 10;

        Assert.Equal(1f, tensor[0, 0]);
        Assert.Equal(4f, tensor[1, 1]);
    }

    [Fact]
    public void Tensor_span_views_the_same_elements()
    {
        var model = ModelTensor<int>.Zeros(2, 2);

        TensorSpan<int> span = model.AsTensorSpan();
        span[1, 0] = 7;

        Assert.Equal(new[] { 0, 0, 7, 0 }, model.Span.ToArray());
        Assert.Equal(7, model.AsReadOnlyTensorSpan()[1, 0]);
    }

    [Fact]
    public void From_tensor_copies_elements_and_shape_row_major()
    {
        Tensor<long> tensor = Tensor.Create(new long[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);

        ModelTensor<long> model = tensor.ToModelTensor();
        tensor[0, 0] = 100;

        Assert.Equal(new[] { 3, 2 }, model.GetShape());
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, model.Span.ToArray());
        Assert.Equal(new long[] { 100, 2 }, tensor.AsTensorSpan().ToModelTensor().Span[..2].ToArray());
    }
}

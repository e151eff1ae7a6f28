namespace Optimizer.Runtime.Tests;

/// <summary>Every supported element type goes through a real ONNX Runtime session and comes back unchanged.</summary>
public class ElementTypeTests
{
    [Fact]
    public void Float32() => RoundTrip(TinyOnnx.Float, "float32", new[] { 1.5f, -2, 3, 4 });

    [Fact]
    public void Float64() => RoundTrip(TinyOnnx.Double, "float64", new[] { 1.5, -2, 3, 4 });

    [Fact]
    public void Float16_as_Half() => RoundTrip(TinyOnnx.Float16, "float16", new[] { (Half)1.5, (Half)(-2), (Half)3, Half.MaxValue });

    [Fact]
    public void Int8() => RoundTrip(TinyOnnx.Int8, "int8", new sbyte[] { -128, 0, 1, 127 });

    [Fact]
    public void UInt8() => RoundTrip(TinyOnnx.UInt8, "uint8", new byte[] { 0, 1, 128, 255 });

    [Fact]
    public void Int16() => RoundTrip(TinyOnnx.Int16, "int16", new short[] { short.MinValue, 0, 1, short.MaxValue });

    [Fact]
    public void UInt16() => RoundTrip(TinyOnnx.UInt16, "uint16", new ushort[] { 0, 1, 2, ushort.MaxValue });

    [Fact]
    public void Int32() => RoundTrip(TinyOnnx.Int32, "int32", new[] { int.MinValue, 0, 1, int.MaxValue });

    [Fact]
    public void UInt32() => RoundTrip(TinyOnnx.UInt32, "uint32", new uint[] { 0, 1, 2, uint.MaxValue });

    [Fact]
    public void Int64() => RoundTrip(TinyOnnx.Int64, "int64", new[] { long.MinValue, 0, 1, long.MaxValue });

    [Fact]
    public void UInt64() => RoundTrip(TinyOnnx.UInt64, "uint64", new ulong[] { 0, 1, 2, ulong.MaxValue });

    [Fact]
    public void Bool() => RoundTrip(TinyOnnx.Bool, "bool", new[] { true, false, false, true });

    [Fact]
    public void String() => RoundTrip(TinyOnnx.String, "string", new[] { "a", "", "ünïcode", "d" });

    [Fact]
    public void Output_of_unknown_shape_is_copied_from_onnx_runtime()
    {
        var metadata = Metadata("float32");
        using var model = new IdentityModel<float>(metadata, TinyOnnx.Identity(TinyOnnx.Float, [null, 2L], [null, null]));

        ModelTensor<float> y = model.Run(new ModelTensor<float>(new[] { 1f, 2, 3, 4, 5, 6 }, 3, 2));

        Assert.Null(model.OutputPlan);
        Assert.Equal(new[] { 3, 2 }, y.Shape.ToArray());
        Assert.Equal(new[] { 1f, 2, 3, 4, 5, 6 }, y.Span.ToArray());
    }

    private static void RoundTrip<T>(int onnxType, string elementType, T[] values)
    {
        using var model = new IdentityModel<T>(Metadata(elementType), TinyOnnx.Identity(onnxType, ["n", 2L], ["n", 2L]));

        ModelTensor<T> y = model.Run(new ModelTensor<T>(values, 2, 2));
        ModelTensor<T> again = model.Run(new ModelTensor<T>(values.Take(2).ToArray(), 1, 2));

        Assert.Equal(new[] { 2, 2 }, y.Shape.ToArray());
        Assert.Equal(values, y.Span.ToArray());
        Assert.Equal(values.Take(2), again.Span.ToArray());
        Assert.Equal(typeof(T) != typeof(string), model.OutputPlan is not null);
    }

    private static ModelMetadata Metadata(string elementType) => new(
        "Tests.Identity",
        "Tests.identity.onnx",
        [new TensorMetadata("x", elementType, [TensorDimension.Symbolic("n"), TensorDimension.Fixed(2)])],
        [new TensorMetadata("y", elementType, [TensorDimension.Symbolic("n"), TensorDimension.Fixed(2)])]);
}

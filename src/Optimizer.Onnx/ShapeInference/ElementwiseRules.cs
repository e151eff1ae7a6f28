namespace Optimizer.Onnx;

/// <summary>Ops whose output has the broadcast shape (or the shape) of their inputs.</summary>
internal static class ElementwiseRules
{
    /// <summary>Add, Sub, Mul, Div, Pow…: numpy broadcasting over every input.</summary>
    public static InferredType Broadcasting(NodeContext c) =>
        new(c.ElementType(0), DimMath.Broadcast(Enumerable.Range(0, c.InputCount).Where(c.HasInput).Select(c.Shape)));

    /// <summary>Relu, Sigmoid, Softmax, BatchNormalization, Dropout…: same type and shape as input 0.</summary>
    public static InferredType SameAsInput(NodeContext c) => c.Input(0);

    /// <summary>Cast: input 0's shape with the <c>to</c> type.</summary>
    public static InferredType Cast(NodeContext c) => new((TensorElementType)c.Int("to", 0), c.Shape(0));

    /// <summary>QuantizeLinear: input 0's shape, the zero point's type (uint8 when omitted).</summary>
    public static InferredType Quantize(NodeContext c)
    {
        var type = c.HasInput(2) ? c.ElementType(2) : TensorElementType.UInt8;
        if (c.String("output_dtype") is null && c.Int("output_dtype", 0) is var dtype and > 0) type = (TensorElementType)dtype;
        return new InferredType(type, c.Shape(0));
    }

    /// <summary>DequantizeLinear: input 0's shape, the scale's type.</summary>
    public static InferredType Dequantize(NodeContext c) =>
        new(c.HasInput(1) ? c.ElementType(1) : TensorElementType.Float, c.Shape(0));
}

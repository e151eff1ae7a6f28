namespace Optimizer.Runtime;

/// <summary>The name, element type and declared shape of one model input or output.</summary>
public sealed class TensorMetadata
{
    /// <summary>Describes one model input or output.</summary>
    /// <param name="name">The name in the ONNX graph, exactly as the model spells it.</param>
    /// <param name="elementType">The ONNX element type as the manifest names it, e.g. <c>float32</c>, <c>int64</c>, <c>float16</c>.</param>
    /// <param name="shape">The declared dimensions, outermost first, or <see langword="null"/> when the rank is unknown.</param>
    public TensorMetadata(string name, string elementType, TensorDimension[]? shape)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        ElementType = elementType ?? throw new ArgumentNullException(nameof(elementType));
        Shape = shape is null ? null : Array.AsReadOnly((TensorDimension[])shape.Clone());
    }

    /// <summary>The name in the ONNX graph.</summary>
    public string Name { get; }

    /// <summary>The ONNX element type, e.g. <c>float32</c>.</summary>
    public string ElementType { get; }

    /// <summary>The declared dimensions, or <see langword="null"/> when the rank is unknown (any shape is accepted).</summary>
    public IReadOnlyList<TensorDimension>? Shape { get; }

    /// <summary>
    /// For a floating-point input: the range the build prepared the model for (a static INT8 input
    /// quantizer's range, else the min/max of the declared calibration or validation data), or
    /// <see langword="null"/>. Inputs outside it are counted by <c>optimizer.input.out_of_range</c> (<see cref="OptimizerTelemetry"/>).
    /// </summary>
    public ValueRange? CalibratedRange { get; init; }

    /// <summary>The declared shape with symbols, e.g. <c>[batch, 1, 8, 8]</c>, or <c>[*]</c> when the rank is unknown.</summary>
    public string FormatShape() => Shape is null ? "[*]" : "[" + string.Join(", ", Shape) + "]";

    /// <summary>For example <c>input: float32[batch, 1, 8, 8]</c>.</summary>
    public override string ToString() => $"{Name}: {ElementType}{FormatShape()}";
}

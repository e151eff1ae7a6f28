using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// Works out, once per session, how to know every output's shape before a run from the inputs'
/// shapes, so outputs can be allocated as the caller's arrays and written by ONNX Runtime in place.
/// A model with any output whose shape depends on more than a fixed size or an input's symbolic
/// dimension (or a string output) gets no plan and its outputs are copied after the run instead.
/// </summary>
internal sealed class OutputAllocationPlan
{
    private readonly Type[] _elementTypes;
    private readonly Dimension[][] _shapes;

    private OutputAllocationPlan(Type[] elementTypes, Dimension[][] shapes)
    {
        _elementTypes = elementTypes;
        _shapes = shapes;
    }

    public static OutputAllocationPlan? TryCreate(InferenceSession session, string[] inputNames, string[] outputNames)
    {
        // The first input dimension that carries each symbol is where its size is read from.
        var symbolSources = new Dictionary<string, Dimension>(StringComparer.Ordinal);
        for (int input = 0; input < inputNames.Length; input++)
        {
            NodeMetadata metadata = session.InputMetadata[inputNames[input]];
            for (int axis = 0; axis < metadata.Dimensions.Length; axis++)
            {
                string symbol = metadata.SymbolicDimensions[axis];
                if (metadata.Dimensions[axis] < 0 && !string.IsNullOrEmpty(symbol))
                {
                    symbolSources.TryAdd(symbol, Dimension.FromInput(input, axis));
                }
            }
        }

        var elementTypes = new Type[outputNames.Length];
        var shapes = new Dimension[outputNames.Length][];
        for (int output = 0; output < outputNames.Length; output++)
        {
            NodeMetadata metadata = session.OutputMetadata[outputNames[output]];
            if (metadata.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || OrtElementTypes.ClrType(metadata.ElementDataType) is not Type elementType)
            {
                return null;
            }

            elementTypes[output] = elementType;
            shapes[output] = new Dimension[metadata.Dimensions.Length];
            for (int axis = 0; axis < metadata.Dimensions.Length; axis++)
            {
                if (metadata.Dimensions[axis] >= 0)
                {
                    shapes[output][axis] = Dimension.FromSize(metadata.Dimensions[axis]);
                }
                else if (symbolSources.TryGetValue(metadata.SymbolicDimensions[axis] ?? "", out Dimension source))
                {
                    shapes[output][axis] = source;
                }
                else
                {
                    return null;
                }
            }
        }

        return new OutputAllocationPlan(elementTypes, shapes);
    }

    public Type ElementType(int output) => _elementTypes[output];

    public int[] Shape(int output, int[]?[] inputShapes)
    {
        Dimension[] dimensions = _shapes[output];
        var shape = new int[dimensions.Length];
        for (int axis = 0; axis < shape.Length; axis++)
        {
            Dimension d = dimensions[axis];
            shape[axis] = d.Input < 0 ? d.Size : inputShapes[d.Input]![d.Axis];
        }

        return shape;
    }

    /// <summary>A fixed size (Input &lt; 0) or the size of an input's axis.</summary>
    private readonly record struct Dimension(int Size, int Input, int Axis)
    {
        public static Dimension FromSize(int size) => new(size, -1, -1);

        public static Dimension FromInput(int input, int axis) => new(0, input, axis);
    }
}

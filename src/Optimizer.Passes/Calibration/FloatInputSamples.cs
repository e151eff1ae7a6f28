using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Calibration;

/// <summary>
/// Float32 samples already in memory (<see cref="CalibrationDataSet"/>, e.g. from a <c>.npy</c> or
/// raw float32 file) as a <see cref="SampleSet"/> for a model with one input, for callers of the
/// passes that hold such arrays (tests, benchmarks; the engine reads files through its data
/// reader): each sample reshaped to the input's dimensions after the batch axis where they are
/// fixed (e.g. rows of 64 for an input [batch, 1, 8, 8]), batched where the input's batch axis is
/// not fixed.
/// </summary>
public static class FloatInputSamples
{
    /// <param name="model">The model the samples feed; it must have exactly one input.</param>
    /// <param name="data">The samples, first axis counting them.</param>
    /// <param name="source">Where they came from, for messages (e.g. <c>1347 samples from 'Data/calib.npy'</c>).</param>
    /// <param name="pass">The pass that declared the data, named by errors.</param>
    /// <exception cref="PassException">The model has several inputs, or the samples do not fit its input (<see cref="PassErrorCodes.CalibrationShapeMismatch"/>).</exception>
    public static StackedSamples From(OnnxModel model, CalibrationDataSet data, string source, string? pass = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var inputs = model.Graph.Inputs;
        if (inputs.Count != 1)
        {
            throw new PassException(PassErrorCodes.CalibrationShapeMismatch,
                $"{source} are float32 samples for a model with one input, but the model has {inputs.Count} ({string.Join(", ", inputs.Select(i => i.Name))}). Save an .npz with one array per input, named by the input.", pass);
        }

        var input = inputs[0];
        var declared = input.Type?.Shape;
        long[] sampleShape = data.Shape.Skip(1).ToArray();
        if (declared is { Count: > 0 } && declared.Skip(1).All(d => d.Size is not null))
        {
            sampleShape = declared.Skip(1).Select(d => d.Size!.Value).ToArray();
            var size = sampleShape.Aggregate(1L, (a, b) => a * b);
            if (size != data.SampleSize)
            {
                throw new PassException(PassErrorCodes.CalibrationShapeMismatch,
                    $"Calibration samples have {data.SampleSize} values each (shape [{string.Join(",", data.Shape)}]) but model input '{input.Name}' takes [{string.Join(",", declared)}] ({size} per sample). Supply data with one sample per model input.", pass);
            }
        }

        var values = DataTensor.FromFloats(data.Values, [data.SampleCount, .. sampleShape]);
        var batchable = declared is not { Count: > 0 } || declared[0].Size is null;
        return new StackedSamples([new StackedInput(input.Name, values, RowIsWholeInput: false)], batchable) { Source = source };
    }
}

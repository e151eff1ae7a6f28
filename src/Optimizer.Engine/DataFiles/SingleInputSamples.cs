using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// A <c>.npy</c> or raw float32 file as the samples of a model's single float input (the format
/// before <c>.npz</c>): the values are fed exactly as before, reshaped to the input's dimensions
/// after the first when those are fixed and hold as many values per sample.
/// </summary>
internal static class SingleInputSamples
{
    /// <exception cref="EngineException">The model has more than one input or a non-float one, or the file does not fit it.</exception>
    public static StackedSamples Read(OptimizationPlan plan, OnnxModel model, DataSubject subject)
    {
        var set = ReadFloats(plan, model, subject);
        var input = model.Graph.Inputs[0];
        if (input.Type is not { Kind: ValueKind.Tensor, ElementType: TensorElementType.Float })
        {
            throw subject.DoesNotFit(
                $"is .npy or raw float32, but input {InputSignature.Describe(input)} is not float32",
                $"Save an .npz holding the input's type: {InputSignature.SavezExample(model)}.");
        }

        if (set.SampleCount == 0)
        {
            throw subject.DoesNotFit("holds no samples (its first axis is 0)", "Save at least one sample (a few hundred are typical for calibration).");
        }

        var shape = SampleShape(input, set, subject);
        var stacked = new StackedInput(input.Name, DataTensor.FromFloats(set.Values, [set.SampleCount, .. shape]), RowIsWholeInput: false);
        return new StackedSamples([stacked], NpzSamples.Batchable(model, [stacked]))
        {
            Source = string.Create(CultureInfo.InvariantCulture, $"{set.SampleCount} samples from '{subject.Declared}'"),
        };
    }

    /// <summary>
    /// The file's float32 values as stored (<c>.npy</c> with its shape; raw float32 as samples of the
    /// single input's size), for a model with one input; also what [FineTune] trains on.
    /// </summary>
    /// <exception cref="EngineException">The model has more than one input, or the file cannot be read as samples.</exception>
    public static CalibrationDataSet ReadFloats(OptimizationPlan plan, OnnxModel model, DataSubject subject)
    {
        var inputs = model.Graph.Inputs;
        if (inputs.Count != 1)
        {
            throw subject.DoesNotFit(
                $"is .npy or raw float32, which feeds a model's single input, but the model has {inputs.Count} inputs: {InputSignature.DescribeAll(model)}",
                $"Save an .npz with one array per input: {InputSignature.SavezExample(model)}.");
        }

        return DataFile.ReadSamples(plan, subject.Declared, subject.Option, subject.At, byteCount => RawShape(model, byteCount, subject));
    }

    /// <summary>
    /// The shape of raw float32 data of <paramref name="byteCount"/> bytes: samples of the single
    /// input's dimensions after the first, which must be fixed (the one rule for raw files).
    /// </summary>
    /// <exception cref="EngineException"><see cref="EngineErrorCodes.DataFileUnsupported"/>.</exception>
    public static long[] RawShape(OnnxModel model, long byteCount, DataSubject subject)
    {
        var dims = model.Graph.Inputs[0].Type?.Shape;
        if (dims is null || dims.Count < 2 || dims.Skip(1).Any(d => d.Size is null))
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{subject.Declared}' is raw float32, whose sample shape is taken from the model's single input, but the input's dimensions after the first are not all fixed. Save the {subject.Option} data as .npy (samples first) instead.", subject.At);
        }

        var sample = dims.Skip(1).Aggregate(1L, (product, d) => product * d.Size!.Value);
        var values = byteCount / sizeof(float);
        if (sample <= 0 || byteCount % sizeof(float) != 0 || values % sample != 0)
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{subject.Declared}' holds {byteCount} bytes, which is not a whole number of float32 samples of {sample} values (the model input's size). Check the file, or save it as .npy.", subject.At);
        }

        return [values / sample, .. dims.Skip(1).Select(d => d.Size!.Value)];
    }

    /// <summary>
    /// The input's dimensions after the batch axis when they are fixed (the data is reshaped to them
    /// when each sample holds as many values, e.g. [N,64] for [batch,1,8,8]); else the data's own.
    /// </summary>
    private static long[] SampleShape(ValueInfo input, CalibrationDataSet set, DataSubject subject)
    {
        var dataShape = set.Shape.Skip(1).ToArray();
        if (input.Type?.Shape is not { Count: > 0 } dims || dims.Skip(1).Any(d => d.Size is not > 0))
        {
            return new DimBindings().Problem(input, [1, .. dataShape], $"its samples (per sample fed as [1,{string.Join(",", dataShape)}])") is { } problem
                ? throw subject.DoesNotFit(problem, "Save the samples as [N, ...] where ... is the input's shape without its batch axis.")
                : dataShape;
        }

        var shape = dims.Skip(1).Select(d => d.Size!.Value).ToArray();
        var size = shape.Aggregate(1L, (a, b) => a * b);
        return size == set.SampleSize ? shape
            : throw subject.DoesNotFit(
                $"holds samples of {set.SampleSize} values (shape [{string.Join(",", set.Shape)}]) but input {InputSignature.Describe(input)} takes {size} per sample",
                "Save one sample of the input's size per row, samples first.");
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Calibration;

/// <summary>A float32 tensor passed to or returned from a model run.</summary>
/// <param name="Values">The elements, C order.</param>
/// <param name="Shape">The dimensions.</param>
public sealed record FloatTensor(float[] Values, long[] Shape);

/// <summary>
/// Runs a float model so calibration can observe intermediate tensors. Passes read no files and
/// load no native runtime themselves; the caller supplies this (the engine's <c>OnnxRuntimeModelExecutor</c>).
/// </summary>
public interface IModelExecutor
{
    /// <summary>
    /// Prepares <paramref name="model"/> so each run returns the float32 values named in
    /// <paramref name="observed"/> (graph outputs or intermediate values), in that order.
    /// </summary>
    IModelSession Open(OnnxModel model, IReadOnlyList<string> observed);
}

/// <summary>A prepared model; one feed per <see cref="Run"/>.</summary>
public interface IModelSession : IDisposable
{
    /// <summary>Runs one feed (a tensor of any element type per model input, e.g. <see cref="Feed.Inputs"/>); returns the observed values in the order they were named.</summary>
    IReadOnlyList<FloatTensor> Run(IReadOnlyDictionary<string, DataTensor> inputs);
}

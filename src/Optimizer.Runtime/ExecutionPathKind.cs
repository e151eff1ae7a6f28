namespace Optimizer.Runtime;

/// <summary>How a generated model class runs its model. See <see cref="ModelOptions.Path"/> and <see cref="OnnxModelBase.ExecutionPath"/>.</summary>
public enum ExecutionPathKind
{
    /// <summary>
    /// Let the runtime choose (default): ONNX Runtime on the best provider it can start (a GPU
    /// provider only when <see cref="ModelOptions.Target"/> asks for one), else the compiled C#
    /// kernels when the build embedded them and ONNX Runtime's native library cannot be loaded.
    /// </summary>
    Auto,

    /// <summary>ONNX Runtime with an execution provider.</summary>
    OnnxRuntime,

    /// <summary>
    /// The compiled C# kernels the build embedded for a model whose every op they cover: no ONNX
    /// Runtime native library needed (NativeAOT, trimming).
    /// </summary>
    Compiled,
}

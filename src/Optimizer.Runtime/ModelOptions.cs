namespace Optimizer.Runtime;

/// <summary>How a generated model class creates its ONNX Runtime session.</summary>
public sealed class ModelOptions
{
    /// <summary>
    /// Where to run. Default <see cref="ExecutionTarget.Cpu"/>. When the requested provider is not
    /// in the loaded ONNX Runtime build or fails to start, the model runs on the CPU and says why
    /// in <see cref="OnnxModelBase.FallbackReason"/>, unless <see cref="AllowFallback"/> is off.
    /// </summary>
    public ExecutionTarget Target { get; init; } = ExecutionTarget.Cpu;

    /// <summary>
    /// Whether the model may run another way than asked when the asked way is unavailable: an
    /// unavailable <see cref="Target"/> falls back to the CPU unless this is <see langword="false"/>;
    /// <see cref="Path"/> = <see cref="ExecutionPathKind.Compiled"/> without compiled kernels falls back
    /// to ONNX Runtime only when this is <see langword="true"/>. <see langword="null"/> (default) is
    /// that pair of defaults. Where it does not fall back, the constructor throws and says why.
    /// </summary>
    public bool? AllowFallback { get; init; }

    /// <summary>
    /// Which way to run (default <see cref="ExecutionPathKind.Auto"/>): force ONNX Runtime, or the
    /// compiled C# kernels the build embedded when it could (they need no ONNX Runtime native
    /// library). <see cref="OnnxModelBase.ExecutionPath"/> says which way was taken.
    /// </summary>
    public ExecutionPathKind Path { get; init; } = ExecutionPathKind.Auto;

    /// <summary>
    /// The compiled variant to run when the build embedded several (e.g. <c>int8</c> or <c>fp32</c>);
    /// <see langword="null"/> (default) picks by the CPU: <c>int8</c> where INT8 dot products run in
    /// hardware (AVX-VNNI, Arm Dp), else <c>fp32</c>. <see cref="OnnxModelBase.ExecutionPath"/> says which.
    /// </summary>
    public string? Variant { get; init; }

    /// <summary>The GPU to use for <see cref="ExecutionTarget.Cuda"/> and <see cref="ExecutionTarget.DirectML"/> (default 0).</summary>
    public int DeviceId { get; init; }

    /// <summary>
    /// Threads used inside one operator, 1 or more; <see langword="null"/> (default) lets ONNX
    /// Runtime use one per physical core.
    /// </summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>
    /// Where to find a model the build stored as files (<see cref="ModelMetadata.ModelFile"/>, the
    /// <c>OptimizerWeightsStorage</c> property): the folder its path is relative to. <see langword="null"/>
    /// (default) is the app's base directory, where the build copies the files. Embedded models ignore it.
    /// </summary>
    public string? ModelDirectory { get; init; }

    /// <summary>How much ONNX Runtime rewrites the graph when loading it (default <see cref="Runtime.GraphOptimization.All"/>).</summary>
    public GraphOptimization GraphOptimization { get; init; } = GraphOptimization.All;
}

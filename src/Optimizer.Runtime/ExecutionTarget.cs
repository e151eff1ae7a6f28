namespace Optimizer.Runtime;

/// <summary>Where a model runs. See <see cref="ModelOptions.Target"/>.</summary>
public enum ExecutionTarget
{
    /// <summary>The best execution provider in the loaded ONNX Runtime build (CUDA, then DirectML, then CoreML), else the CPU.</summary>
    Auto,

    /// <summary>ONNX Runtime's CPU provider (the default; always available).</summary>
    Cpu,

    /// <summary>NVIDIA GPUs; needs an ONNX Runtime build with the CUDA provider (Microsoft.ML.OnnxRuntime.Gpu) and CUDA installed.</summary>
    Cuda,

    /// <summary>DirectX 12 GPUs on Windows; needs Microsoft.ML.OnnxRuntime.DirectML.</summary>
    DirectML,

    /// <summary>Apple's Neural Engine and GPU on macOS/iOS; needs an ONNX Runtime build with CoreML.</summary>
    CoreML,
}

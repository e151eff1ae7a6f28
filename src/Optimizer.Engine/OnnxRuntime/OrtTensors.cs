using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Passes.Data;
using OnnxType = Optimizer.Onnx.TensorElementType;

namespace Optimizer.Engine.OnnxRuntime;

/// <summary>
/// Turns the engine's data tensors into ONNX Runtime values, for every element type a model input
/// can be fed (the one place that maps <see cref="OnnxType"/> to the .NET types ONNX Runtime takes).
/// </summary>
internal static class OrtTensors
{
    /// <summary>A new ONNX Runtime value over a copy of the tensor's values; the caller disposes it.</summary>
    public static OrtValue Create(DataTensor tensor)
    {
        var shape = tensor.Shape;
        var bytes = tensor.Bytes.AsSpan();
        return tensor.ElementType switch
        {
            OnnxType.Float => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
            OnnxType.Double => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape),
            OnnxType.Float16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, Float16>(bytes).ToArray(), shape),
            OnnxType.BFloat16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, BFloat16>(bytes).ToArray(), shape),
            OnnxType.Int64 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
            OnnxType.UInt64 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(), shape),
            OnnxType.Int32 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape),
            OnnxType.UInt32 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, uint>(bytes).ToArray(), shape),
            OnnxType.Int16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, short>(bytes).ToArray(), shape),
            OnnxType.UInt16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(), shape),
            OnnxType.Int8 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(), shape),
            OnnxType.UInt8 => OrtValue.CreateTensorValueFromMemory(bytes.ToArray(), shape),
            OnnxType.Bool => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, bool>(bytes).ToArray(), shape),
            var other => throw new ArgumentException($"{other} tensors cannot be fed to ONNX Runtime here.", nameof(tensor)),
        };
    }

    /// <summary>The feed's inputs as ONNX Runtime values, in <paramref name="names"/>' order; dispose each.</summary>
    public static OrtValue[] Create(Feed feed, IReadOnlyList<string> names) => names.Select(n => Create(feed.Inputs[n])).ToArray();
}

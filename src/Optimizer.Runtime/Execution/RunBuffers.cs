using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// The per-call scratch arrays of one run. A model keeps one spare set and hands it to whichever
/// call takes it first (others make their own), so concurrent runs never share buffers.
/// </summary>
internal sealed class RunBuffers
{
    public RunBuffers(int inputCount, int outputCount)
    {
        Inputs = new OrtValue[inputCount];
        InputPins = new MemoryHandle[inputCount];
        InputShapes = new int[inputCount][];
        Outputs = new OrtValue[outputCount];
        OutputArrays = new Array[outputCount];
        OutputShapes = new int[outputCount][];
        OutputPins = new MemoryHandle[outputCount];
    }

    public OrtValue[] Inputs { get; }

    public MemoryHandle[] InputPins { get; }

    public int[]?[] InputShapes { get; }

    public OrtValue[] Outputs { get; }

    public Array?[] OutputArrays { get; }

    public int[]?[] OutputShapes { get; }

    public MemoryHandle[] OutputPins { get; }

    /// <summary>Releases every native value and pin, and forgets the caller's arrays.</summary>
    public void Release()
    {
        for (int i = 0; i < Inputs.Length; i++)
        {
            Inputs[i]?.Dispose();
            Inputs[i] = null!;
            InputPins[i].Dispose();
            InputPins[i] = default;
            InputShapes[i] = null;
        }

        for (int i = 0; i < Outputs.Length; i++)
        {
            Outputs[i]?.Dispose();
            Outputs[i] = null!;
            OutputPins[i].Dispose();
            OutputPins[i] = default;
            OutputArrays[i] = null;
            OutputShapes[i] = null;
        }
    }
}

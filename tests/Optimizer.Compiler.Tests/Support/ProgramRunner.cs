using System.Runtime.InteropServices;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>Runs a kernel program on ONNX test tensors and returns each output as raw little-endian bytes.</summary>
internal static class ProgramRunner
{
    public static byte[][] Run(KernelProgram program, IReadOnlyList<OnnxTensor> inputs, int batch = 1)
    {
        using var executor = new KernelExecutor(program);
        return Run(executor, inputs.Select(t => t.ToRawBytes()).ToArray(), batch);
    }

    public static byte[][] Run(KernelExecutor executor, byte[][] inputs, int batch)
    {
        var program = executor.Program;
        var outputs = program.Outputs.Select(o => new byte[o.ElementCount(batch) * ElementSize(o.ElementType)]).ToArray();
        var all = inputs.Concat(outputs).Select(a => GCHandle.Alloc(a, GCHandleType.Pinned)).ToArray();
        try
        {
            var addresses = all.Select(h => h.AddrOfPinnedObject()).ToArray();
            executor.Run(batch, addresses.AsSpan(0, inputs.Length), addresses.AsSpan(inputs.Length));
        }
        finally
        {
            foreach (var h in all)
            {
                h.Free();
            }
        }

        return outputs;
    }

    public static int ElementSize(KernelElementType type) => type switch
    {
        KernelElementType.Float32 or KernelElementType.Int32 => 4,
        KernelElementType.Int64 => 8,
        _ => 1,
    };

    public static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}

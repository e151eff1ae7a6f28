using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>Where a storage lives; arena storages are placed by the linker.</summary>
internal enum StorageKind { Arena, Weights, Input, Output }

/// <summary>A block of bytes one or more values (aliases) live in.</summary>
internal sealed class Storage(int id, StorageKind kind, int index, Dim bytes)
{
    public int Id { get; } = id;

    public StorageKind Kind { get; } = kind;

    /// <summary>Input/output index, or weight index.</summary>
    public int Index { get; } = index;

    public Dim Bytes { get; } = bytes;

    public int FirstStep { get; set; } = int.MaxValue;

    public int LastStep { get; set; } = -1;
}

/// <summary>
/// A constant known at compile time. Integer elements are <see cref="Dim"/>s: a Shape's output, and
/// the arithmetic on it, stay sizes in terms of the symbolic dimensions until a Reshape or Expand reads them.
/// </summary>
internal sealed record ConstData(TensorElementType Type, long[] Shape, float[]? Floats, Dim[]? Longs, byte[]? Bytes)
{
    public static ConstData FromTensor(OnnxTensor t)
    {
        var shape = t.Dims.ToArray();
        return t.ElementType switch
        {
            TensorElementType.Float => new ConstData(t.ElementType, shape, t.ToFloatArray(), null, null),
            TensorElementType.Int64 => new ConstData(t.ElementType, shape, null, Dims.Of(t.ToInt64Array()), null),
            TensorElementType.Int32 => new ConstData(t.ElementType, shape, null, Dims.Of(t.ToInt32Array().Select(v => (long)v)), t.ToRawBytes()),
            TensorElementType.UInt8 or TensorElementType.Int8 => new ConstData(t.ElementType, shape, null,
                Dims.Of(t.ElementType == TensorElementType.UInt8 ? t.ToUInt8Array().Select(v => (long)v) : t.ToInt8Array().Select(v => (long)v)), t.ToRawBytes()),
            TensorElementType.Bool => new ConstData(t.ElementType, shape, null, Dims.Of(t.ToRawBytes().Select(v => (long)v)), t.ToRawBytes()),
            _ => throw new UnsupportedException($"constant '{t.Name}' has element type {t.ElementType}"),
        };
    }

    public long Count => Shape.Product();

    /// <summary>The elements as floats (float constants; integers converted, which must not depend on a symbolic dimension).</summary>
    public float[] AsFloats() => Floats ?? Longs!.Select(v => (float)v.Constant("a value used as data")).ToArray();

    /// <summary>The integer elements, which must not depend on a symbolic dimension.</summary>
    public long[] IntegerValues(string what) => (Longs ?? throw new UnsupportedException($"{what} is not an integer constant")).Constants(what);
}

/// <summary>A value during a concrete build: runtime (in a storage) or constant.</summary>
internal sealed class Val(string name, TensorElementType type, Dim[] shape)
{
    public string Name { get; } = name;

    public TensorElementType Type { get; } = type;

    public Dim[] Shape { get; } = shape;

    public Dim Count => Shape.Product();

    public ConstData? Const { get; init; }

    public Storage? Storage { get; init; }

    /// <summary>Byte offset in <see cref="Storage"/>.</summary>
    public Dim Offset { get; init; }

    public bool IsConst => Const is not null;
}

/// <summary>A step operand in a concrete build.</summary>
internal readonly record struct RawOperand(Storage Storage, Dim ByteOffset, Dim Length);

/// <summary>A step in a concrete build (integer arguments not yet linear in the batch).</summary>
internal sealed record RawStep(StepKind Kind, RawOperand[] Operands, Dim[] Ints, float[] Floats, string Node);

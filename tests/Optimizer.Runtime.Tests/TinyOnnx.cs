using System.Reflection;
using System.Text;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Writes the ONNX protobuf bytes of a one-node Identity model by hand (field numbers from
/// onnx.proto), so element types the shared models lack can be run through a real session.
/// </summary>
internal static class TinyOnnx
{
    /// <summary>ONNX TensorProto.DataType codes.</summary>
    public const int Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8, Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13;

    /// <summary>y = Identity(x); each dim is a long (fixed), a string (symbol) or null (unknown).</summary>
    public static byte[] Identity(int elementType, object?[] inputDims, object?[] outputDims)
    {
        byte[] node = Concat(Text(1, "x"), Text(2, "y"), Text(4, "Identity"));
        byte[] graph = Concat(Message(1, node), Text(2, "g"), Message(11, ValueInfo("x", elementType, inputDims)), Message(12, ValueInfo("y", elementType, outputDims)));
        byte[] opset = Concat(Text(1, ""), Varint(2, 13));
        return Concat(Varint(1, 8), Message(7, graph), Message(8, opset));
    }

    private static byte[] ValueInfo(string name, int elementType, object?[] dims)
    {
        byte[] shape = Concat(dims.Select(d => Message(1, d switch
        {
            long size => Varint(1, size),
            string symbol => Text(2, symbol),
            _ => [],
        })).ToArray());
        byte[] tensorType = Concat(Varint(1, elementType), Message(2, shape));
        return Concat(Text(1, name), Message(2, Message(1, tensorType)));
    }

    private static byte[] Varint(int field, long value) => Concat(Key(field, 0), Raw((ulong)value));

    private static byte[] Text(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Message(int field, byte[] payload) => Concat(Key(field, 2), Raw((ulong)payload.Length), payload);

    private static byte[] Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

    private static byte[] Raw(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return bytes.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}

/// <summary>An assembly stand-in that serves one model as a manifest resource, as the build would embed it.</summary>
internal sealed class ResourceAssembly(string resourceName, byte[] model) : Assembly
{
    public override Stream? GetManifestResourceStream(string name) => name == resourceName ? new MemoryStream(model, writable: false) : null;

    public override string[] GetManifestResourceNames() => [resourceName];

    public override AssemblyName GetName() => new("TinyModels");
}

/// <summary>A hand-written model class over an Identity model of element type <typeparamref name="T"/>.</summary>
internal sealed class IdentityModel<T> : OnnxModelBase
{
    public IdentityModel(ModelMetadata metadata, byte[] model)
        : base(metadata, new ResourceAssembly(metadata.ResourceName, model), null)
    {
    }

    public ModelTensor<T> Run(ModelTensor<T> x)
    {
        using ModelRun run = BeginRun();
        run.BindInput(0, x);
        run.Execute();
        return run.GetOutput<T>(0);
    }
}

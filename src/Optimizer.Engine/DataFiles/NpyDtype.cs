using Optimizer.Onnx;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// A NumPy dtype the <c>.npz</c> reader takes, and the ONNX element type its values are fed as.
/// Little-endian only ('&lt;'; '|' for one-byte types, as NumPy writes them): the bytes are fed
/// to the model as they are.
/// </summary>
/// <param name="Descr">NumPy's dtype string in a <c>.npy</c> header.</param>
/// <param name="ElementType">The ONNX element type with the same bytes.</param>
/// <param name="ItemSize">Bytes per element.</param>
/// <param name="Clr">The .NET type of one element, for typed views.</param>
internal sealed record NpyDtype(string Descr, TensorElementType ElementType, int ItemSize, Type Clr)
{
    /// <summary>Every dtype read, the one table of them.</summary>
    public static readonly IReadOnlyList<NpyDtype> All =
    [
        new("<f4", TensorElementType.Float, 4, typeof(float)),
        new("<f2", TensorElementType.Float16, 2, typeof(Half)),
        new("<f8", TensorElementType.Double, 8, typeof(double)),
        new("<i8", TensorElementType.Int64, 8, typeof(long)),
        new("<i4", TensorElementType.Int32, 4, typeof(int)),
        new("<i2", TensorElementType.Int16, 2, typeof(short)),
        new("|i1", TensorElementType.Int8, 1, typeof(sbyte)),
        new("|u1", TensorElementType.UInt8, 1, typeof(byte)),
        new("|b1", TensorElementType.Bool, 1, typeof(bool)),
    ];

    /// <summary>The dtype written as <paramref name="descr"/>, or null when it is not read.</summary>
    public static NpyDtype? Find(string descr) => All.FirstOrDefault(d => d.Descr == descr);

    /// <summary>The dtype of <paramref name="type"/>, or null when no NumPy dtype here has it.</summary>
    public static NpyDtype? Of(TensorElementType type) => All.FirstOrDefault(d => d.ElementType == type);

    /// <summary>Whether NumPy's descr is an object array: its values are pickles, which are never loaded.</summary>
    public static bool IsObject(string descr) => descr.TrimStart('<', '>', '|', '=') == "O";

    /// <summary>The list of dtypes read, for messages.</summary>
    public static string Names => string.Join(", ", All.Select(d => $"{d.Descr} ({d.ElementType.ToString().ToLowerInvariant()})"));
}

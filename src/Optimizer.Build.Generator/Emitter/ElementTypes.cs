namespace Optimizer.Build.Generator.Emitter;

/// <summary>The C# element type of <c>Tensor&lt;T&gt;</c> for each manifest element type.</summary>
internal static class ElementTypes
{
    /// <summary>The C# type, or null when generated code cannot pass it (bfloat16 has no .NET type; non-tensors).</summary>
    public static string? ToCSharp(string elementType) => elementType switch
    {
        "float32" => "float",
        "float64" => "double",
        "float16" => "global::System.Half",
        "int8" => "sbyte",
        "uint8" => "byte",
        "int16" => "short",
        "uint16" => "ushort",
        "int32" => "int",
        "uint32" => "uint",
        "int64" => "long",
        "uint64" => "ulong",
        "bool" => "bool",
        "string" => "string",
        _ => null,
    };
}

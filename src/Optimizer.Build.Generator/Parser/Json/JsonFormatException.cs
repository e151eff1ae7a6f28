using System;

namespace Optimizer.Build.Generator.Parser.Json;

/// <summary>Malformed JSON, or JSON that does not have the manifest's shape, at a 1-based line and column.</summary>
internal sealed class JsonFormatException : Exception
{
    public JsonFormatException(string problem, int line, int column)
        : base($"line {line}, column {column}: {problem}")
    {
    }
}

using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler;

/// <summary>A node the kernel set cannot run, and why.</summary>
/// <param name="NodeName">The node's name (or its first output when unnamed).</param>
/// <param name="OpType">The operator.</param>
/// <param name="Reason">What is not supported: the operator, an attribute, an element type or a shape.</param>
public sealed record UnsupportedNode(string NodeName, string OpType, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{NodeName} ({OpType}): {Reason}";
}

/// <summary>The outcome of <see cref="KernelCompiler.Compile"/>.</summary>
/// <param name="Program">The program, or null when some node is unsupported.</param>
/// <param name="Unsupported">Every node that prevented compilation (empty on success).</param>
public sealed record CompileResult(KernelProgram? Program, IReadOnlyList<UnsupportedNode> Unsupported)
{
    /// <summary>Whether the model compiled.</summary>
    public bool IsSupported => Program is not null;
}

/// <summary>Thrown inside the compiler for the first unsupported construct of a node.</summary>
internal sealed class UnsupportedException(string reason) : Exception(reason);

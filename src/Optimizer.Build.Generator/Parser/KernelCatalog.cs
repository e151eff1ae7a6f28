using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Optimizer.Build.Generator.Model;

namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// The kernel methods the referenced Optimizer.Runtime has, as signatures a schedule step can be
/// matched against: the generator emits a step's call only when the runtime has a method it binds
/// to, so a schedule the runtime cannot run (another version's, or a crafted one) never becomes code
/// that fails to compile.
/// </summary>
internal static class KernelCatalog
{
    public const string KernelsTypeName = "Optimizer.Runtime.Compiled.Kernels";

    /// <summary>
    /// One <c>Name:codes</c> per public static method of the kernels class, a code per parameter:
    /// <c>f u i</c> for <c>ReadOnlySpan&lt;float/byte/int&gt;</c>, <c>F U I</c> for <c>Span</c>, <c>n</c> for
    /// <c>int</c>, <c>x</c> for <c>float</c>, <c>?</c> for anything else. Empty without the runtime.
    /// </summary>
    public static EquatableArray<string> From(Compilation compilation)
    {
        if (compilation.GetTypeByMetadataName(KernelsTypeName) is not { } kernels)
        {
            return EquatableArray<string>.Empty;
        }

        return kernels.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && m.MethodKind == MethodKind.Ordinary && !m.IsGenericMethod)
            .Select(m => m.Name + ":" + new string(m.Parameters.Select(Code).ToArray()))
            .Distinct()
            .OrderBy(s => s, System.StringComparer.Ordinal)
            .ToEquatableArray();
    }

    /// <summary>Whether the runtime has a kernel the step's call binds to: same name, operands, integer and float arguments.</summary>
    public static bool Binds(ScheduleStep step, EquatableArray<string> catalog)
    {
        string prefix = step.Kernel + ":";
        return catalog.Any(signature => signature.StartsWith(prefix, System.StringComparison.Ordinal) && Matches(step, signature.Substring(prefix.Length)));
    }

    private static bool Matches(ScheduleStep step, string codes)
    {
        if (codes.Length != step.Operands.Count + step.Ints.Count + step.FloatBits.Count)
        {
            return false;
        }

        for (int o = 0; o < step.Operands.Count; o++)
        {
            char code = codes[o];
            char type = step.OperandTypes[o];
            // The weights are read-only; every other region (and an empty operand, 'default') binds to either span.
            bool binds = code == type || (code == char.ToUpperInvariant(type) && step.Operands[o].Region != ScheduleRegion.Weights);
            if (!binds)
            {
                return false;
            }
        }

        int at = step.Operands.Count;
        foreach (IntArgument argument in step.Ints)
        {
            if (codes[at++] != (argument.IsSpan ? 'i' : 'n'))
            {
                return false;
            }
        }

        return codes.Substring(at).All(c => c == 'x');
    }

    private static char Code(IParameterSymbol parameter)
    {
        if (parameter.RefKind != RefKind.None)
        {
            return '?';
        }

        ITypeSymbol type = parameter.Type;
        if (type.SpecialType == SpecialType.System_Int32)
        {
            return 'n';
        }

        if (type.SpecialType == SpecialType.System_Single)
        {
            return 'x';
        }

        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } span
            && span.ContainingNamespace?.ToDisplayString() == "System"
            && span.Name is "Span" or "ReadOnlySpan")
        {
            char element = span.TypeArguments[0].SpecialType switch
            {
                SpecialType.System_Single => 'f',
                SpecialType.System_Byte => 'u',
                SpecialType.System_Int32 => 'i',
                _ => '?',
            };
            return element == '?' ? '?' : span.Name == "Span" ? char.ToUpperInvariant(element) : element;
        }

        return '?';
    }
}

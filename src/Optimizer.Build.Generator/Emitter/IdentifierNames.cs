using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Optimizer.Build.Generator.Emitter;

/// <summary>
/// Turns any ONNX value name into a PascalCase C# identifier, deterministically:
/// <c>onnx::Flatten_0</c> → <c>OnnxFlatten0</c>, <c>x.1</c> → <c>X1</c>, <c>39</c> → <c>Value39</c>.
/// </summary>
internal static class IdentifierNames
{
    /// <summary>Members every class has; a property with one of these names would hide it.</summary>
    private static readonly string[] ObjectMembers = { "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals" };

    /// <summary>
    /// Property names for <paramref name="onnxNames"/> inside the type <paramref name="enclosingType"/>,
    /// in the same order: never the type's own name (CS0542) or an <see cref="object"/> member (those get
    /// a <c>Value</c> suffix), and unique (later collisions get 2, 3, …).
    /// </summary>
    public static string[] PropertyNames(IReadOnlyList<string> onnxNames, string enclosingType)
    {
        var reserved = new HashSet<string>(ObjectMembers, System.StringComparer.Ordinal) { enclosingType };
        var used = new HashSet<string>(System.StringComparer.Ordinal);
        var names = new string[onnxNames.Count];
        for (int i = 0; i < names.Length; i++)
        {
            string candidate = ToPascalCase(onnxNames[i]);
            if (reserved.Contains(candidate))
            {
                candidate += "Value";
            }

            string unique = candidate;
            for (int suffix = 2; used.Contains(unique) || reserved.Contains(unique); suffix++)
            {
                unique = candidate + suffix.ToString(CultureInfo.InvariantCulture);
            }

            used.Add(unique);
            names[i] = unique;
        }

        return names;
    }

    /// <summary>A PascalCase identifier from the letters and digits of <paramref name="name"/>; other characters separate words.</summary>
    public static string ToPascalCase(string name)
    {
        var builder = new StringBuilder(name.Length);
        bool wordStart = true;
        foreach (char c in name)
        {
            if (c == '_' || !SyntaxFacts.IsIdentifierPartCharacter(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                wordStart = true;
                continue;
            }

            builder.Append(wordStart ? char.ToUpperInvariant(c) : c);
            wordStart = false;
        }

        if (builder.Length == 0 || !SyntaxFacts.IsIdentifierStartCharacter(builder[0]))
        {
            builder.Insert(0, "Value");
        }

        string identifier = builder.ToString();
        return IsKeyword(identifier) ? identifier + "Value" : identifier;
    }

    /// <summary>
    /// Parameter names for <paramref name="propertyNames"/> (<see cref="ToParameterName"/>), in the same order:
    /// never a property's own name (a name without lower case, e.g. <c>中文</c>, would assign the parameter to
    /// itself) and unique (two properties can lower-case alike, e.g. <c>K</c> and the Kelvin sign); those get
    /// a <c>Value</c> suffix, then 2, 3, ….
    /// </summary>
    public static string[] ParameterNames(IReadOnlyList<string> propertyNames)
    {
        var taken = new HashSet<string>(propertyNames, System.StringComparer.Ordinal);
        var names = new string[propertyNames.Count];
        for (int i = 0; i < names.Length; i++)
        {
            string candidate = ToParameterName(propertyNames[i]);
            if (taken.Contains(candidate.TrimStart('@')))
            {
                candidate = ToParameterName(propertyNames[i] + "Value");
            }

            string unique = candidate;
            for (int suffix = 2; taken.Contains(unique.TrimStart('@')); suffix++)
            {
                unique = candidate + suffix.ToString(CultureInfo.InvariantCulture);
            }

            taken.Add(unique.TrimStart('@'));
            names[i] = unique;
        }

        return names;
    }

    /// <summary>The camelCase parameter name for a property name, escaped with <c>@</c> when it is a keyword.</summary>
    public static string ToParameterName(string propertyName)
    {
        string camel = char.ToLowerInvariant(propertyName[0]) + propertyName.Substring(1);
        return IsKeyword(camel) ? "@" + camel : camel;
    }

    private static bool IsKeyword(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(identifier) != SyntaxKind.None;
}

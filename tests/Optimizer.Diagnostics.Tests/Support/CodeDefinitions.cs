using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace Optimizer.Diagnostics.Tests.Support;

/// <summary>One definition of a code: a constant, or a generator's <see cref="DiagnosticDescriptor"/> field.</summary>
internal sealed record CodeDefinition(string Code, string Namespace, string Type, string Member, DiagnosticDescriptor? Descriptor = null)
{
    public int Number => int.Parse(Code.AsSpan(3));

    public override string ToString() => $"{Type}.{Member} = \"{Code}\"";
}

/// <summary>
/// Every OPTxxxx code the assemblies beside the tests define, found without a hand list: each
/// constant string field of every type (read from metadata, so no type has to load, whatever it
/// references) and each static <see cref="DiagnosticDescriptor"/> field. A file linked into two
/// assemblies (the task carries the engine's EngineCrash) is one definition: a definition is its
/// type's full name and member.
/// </summary>
internal static class CodeDefinitions
{
    public static readonly Regex CodeShape = new(@"^OPT[0-9]{4}$");

    /// <summary>The Optimizer assemblies the test project references (its own excluded).</summary>
    public static IReadOnlyList<string> AssemblyFiles { get; } = Directory
        .GetFiles(AppContext.BaseDirectory, "Optimizer.*.dll")
        .Where(path => Path.GetFileNameWithoutExtension(path) != typeof(CodeDefinitions).Assembly.GetName().Name)
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static IReadOnlyList<CodeDefinition> All { get; } = AssemblyFiles
        .SelectMany(path => Constants(path).Concat(Descriptors(path)))
        .DistinctBy(definition => (definition.Type, definition.Member))
        .ToArray();

    private static IEnumerable<CodeDefinition> Constants(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var found = new List<CodeDefinition>();
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(typeHandle);
            foreach (var fieldHandle in type.GetFields())
            {
                var field = metadata.GetFieldDefinition(fieldHandle);
                if (ConstantString(metadata, field) is { } value && CodeShape.IsMatch(value))
                {
                    var (ns, name) = FullName(metadata, type);
                    found.Add(new CodeDefinition(value, ns, name, metadata.GetString(field.Name)));
                }
            }
        }

        return found;
    }

    private static bool References(string assemblyPath, string assemblyName)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Any(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name) == assemblyName);
    }

    private static string? ConstantString(MetadataReader metadata, FieldDefinition field)
    {
        if ((field.Attributes & FieldAttributes.Literal) == 0 || field.GetDefaultValue().IsNil)
            return null;
        var constant = metadata.GetConstant(field.GetDefaultValue());
        if (constant.TypeCode != ConstantTypeCode.String)
            return null;
        var blob = metadata.GetBlobReader(constant.Value);
        return blob.ReadUTF16(blob.Length);
    }

    /// <summary>The namespace and the full name (nested types joined with '+') of a type.</summary>
    private static (string Namespace, string Name) FullName(MetadataReader metadata, TypeDefinition type)
    {
        var name = metadata.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (declaring.IsNil)
        {
            var ns = metadata.GetString(type.Namespace);
            return (ns, ns.Length == 0 ? name : ns + "." + name);
        }

        var (outerNamespace, outer) = FullName(metadata, metadata.GetTypeDefinition(declaring));
        return (outerNamespace, outer + "+" + name);
    }

    private static IEnumerable<CodeDefinition> Descriptors(string assemblyPath)
    {
        // Only an assembly built against Roslyn can hold a descriptor; the others are not loaded here
        // (training's types need TorchSharp, which the tests do not carry).
        if (!References(assemblyPath, typeof(DiagnosticDescriptor).Assembly.GetName().Name!))
            return [];

        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(assemblyPath));
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            // A type that needs what the tests do not carry holds no descriptor; the rest are searched.
            types = e.Types;
        }

        return types
            .OfType<Type>()
            .SelectMany(type => type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(field => field.FieldType == typeof(DiagnosticDescriptor))
                .Select(field => (Type: type, Field: field, Descriptor: (DiagnosticDescriptor)field.GetValue(null)!)))
            .Where(d => CodeShape.IsMatch(d.Descriptor.Id))
            .Select(d => new CodeDefinition(d.Descriptor.Id, d.Type.Namespace ?? "", d.Type.FullName!, d.Field.Name, d.Descriptor));
    }
}

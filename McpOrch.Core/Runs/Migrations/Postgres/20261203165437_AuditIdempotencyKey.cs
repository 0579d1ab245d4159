using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpOrch.Core.Runs.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AuditIdempotencyKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "audit",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "audit");
        }
    }
}

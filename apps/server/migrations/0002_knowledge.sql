CREATE TABLE "chunks" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"chatbot_id" text NOT NULL,
	"document_id" text NOT NULL,
	"version" integer NOT NULL,
	"ordinal" integer NOT NULL,
	"page" integer,
	"char_start" integer NOT NULL,
	"char_end" integer NOT NULL,
	"heading" text,
	"text" text NOT NULL,
	"token_count" integer NOT NULL,
	"language" text,
	"embedding" real[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"chatbot_id" text NOT NULL,
	"title" text NOT NULL,
	"source_type" text NOT NULL,
	"source_url" text,
	"filename" text NOT NULL,
	"mime_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"content_hash" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"indexed_version" integer,
	"tags" text[] NOT NULL,
	"metadata" jsonb NOT NULL,
	"language" text,
	"status" text NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"error" text,
	"error_code" text,
	"page_count" integer,
	"chunk_count" integer,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"indexed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_chatbot_id_chatbots_id_fk" FOREIGN KEY ("chatbot_id") REFERENCES "public"."chatbots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "chunks_doc_version_ordinal_key" ON "chunks" USING btree ("document_id","version","ordinal");--> statement-breakpoint
CREATE INDEX "chunks_bot_idx" ON "chunks" USING btree ("org_id","chatbot_id");--> statement-breakpoint
CREATE INDEX "documents_bot_idx" ON "documents" USING btree ("org_id","chatbot_id","id");--> statement-breakpoint
CREATE INDEX "documents_hash_idx" ON "documents" USING btree ("org_id","chatbot_id","content_hash");
--
-- PostgreSQL database cluster dump
--

\restrict SsRnhwLB9HhOUhinel6cVDFBvGRgoLgnBEVrlh7GhOjAdQckI2ztVsNzoSEXE7v

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Roles
--

CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;

--
-- User Configurations
--








\unrestrict SsRnhwLB9HhOUhinel6cVDFBvGRgoLgnBEVrlh7GhOjAdQckI2ztVsNzoSEXE7v

--
-- Databases
--

--
-- Database "template1" dump
--

\connect template1

--
-- PostgreSQL database dump
--

\restrict gVHGY6XHIP7cXVLn7qCWrioHwfmnUQyrWCrdPLlWFb3LEqOvV9vIzdr4jCja381

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- PostgreSQL database dump complete
--

\unrestrict gVHGY6XHIP7cXVLn7qCWrioHwfmnUQyrWCrdPLlWFb3LEqOvV9vIzdr4jCja381

--
-- Database "inventory" dump
--

--
-- PostgreSQL database dump
--

\restrict cLQsWlFAhrSMvbeA8gHP53bErxhvcOFLLd7w9T0Ct4lr943xzzebRcr6tnsq4A0

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: inventory; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE inventory WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C';


ALTER DATABASE inventory OWNER TO postgres;

\unrestrict cLQsWlFAhrSMvbeA8gHP53bErxhvcOFLLd7w9T0Ct4lr943xzzebRcr6tnsq4A0
\connect inventory
\restrict cLQsWlFAhrSMvbeA8gHP53bErxhvcOFLLd7w9T0Ct4lr943xzzebRcr6tnsq4A0

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: stock; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.stock (
    sku text NOT NULL,
    on_hand integer NOT NULL,
    bin text NOT NULL
);


ALTER TABLE public.stock OWNER TO postgres;

--
-- Data for Name: stock; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.stock (sku, on_hand, bin) FROM stdin;
SKU-00001	53	A-1
SKU-00002	106	A-2
SKU-00003	159	A-3
SKU-00004	21 Owner: postgres
--

CREATE INDEX orders_ordered_at_idx ON public.orders USING btree (ordered_at);


--
-- Name: order_items order_items_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id) ON DELETE CASCADE;


--
-- Name: order_items order_items_product_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);


--
-- Name: orders orders_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);


--
-- PostgreSQL database dump complete
--

\unrestrict IzJ3nthrqYSaKNhMuwMuIAoddoIRzKbFtj7RFnV3Owh7oL0lIbVi5KeMNoKkaKV

--
-- PostgreSQL database cluster dump complete
--

